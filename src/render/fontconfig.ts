import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Points fontconfig at an empty configuration before sharp first lays out text.
 * Without it, a machine's own fonts (or, in a slim image, none and a missing
 * fonts.conf) decide what the label looks like: boxes in a container, other
 * glyphs on another desktop. With it, only FONT_FILE is ever used.
 */
process.env.FONTCONFIG_FILE = fileURLToPath(new URL('../../assets/fonts.conf', import.meta.url));

const require = createRequire(import.meta.url);
/** A TrueType file: the FreeType in sharp's bundled libvips does not read WOFF. */
export const FONT_FILE = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
