import { ApiError } from '../errors.js';
import { isoMs, ManualClock, MAX_CLOCK_MS, type Clock } from '../lib/clock.js';

export type ClockMove = { advanceMs: number } | { setTo: string };

export function clockState(clock: Clock) {
  return { mode: clock instanceof ManualClock ? ('manual' as const) : ('system' as const), nowMs: clock.nowMs(), now: isoMs(clock.nowMs()) };
}

/**
 * POST /_emulator/clock: moves the manual clock. Every value that cannot be a
 * time (past the RFC 3339 range, before now, a leap second JavaScript cannot
 * represent) is the client's error, named, before anything fires.
 */
export function moveClock(clock: Clock, move: ClockMove) {
  if (!(clock instanceof ManualClock)) throw new ApiError('bad_request', 'the clock is not manual: start with CLOCK=manual');
  let targetMs: number;
  if ('advanceMs' in move) {
    targetMs = clock.nowMs() + move.advanceMs;
    if (!(targetMs <= MAX_CLOCK_MS)) {
      throw new ApiError('bad_request', `advanceMs ${move.advanceMs} would move the clock past ${isoMs(MAX_CLOCK_MS)}; at most ${MAX_CLOCK_MS - clock.nowMs()} from now`);
    }
  } else {
    targetMs = Date.parse(move.setTo);
    if (Number.isNaN(targetMs)) throw new ApiError('bad_request', `setTo "${move.setTo.slice(0, 40)}" is not a time this clock can show (leap seconds and out-of-range dates are not)`);
  }
  const refused = clock.refuse(targetMs);
  if (refused) throw new ApiError('bad_request', refused);
  clock.set(targetMs);
  return clockState(clock);
}
