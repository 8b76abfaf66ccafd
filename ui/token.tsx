import { useState } from 'preact/hooks';

/** Shown before any data when the server has EMULATOR_ADMIN_TOKEN set. */
export function TokenForm({ error, onToken }: { error: string; onToken(token: string): void }) {
  const [value, setValue] = useState('');
  return (
    <main class="token-page">
      <h1>0G Router emulator</h1>
      <form
        class="panel token-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onToken(value.trim());
        }}
      >
        <h2>Admin token required</h2>
        <p>This emulator was started with <code>EMULATOR_ADMIN_TOKEN</code>. The token stays in this tab (session storage) and is sent in a header, never in a URL.</p>
        <label for="admin-token">Admin token</label>
        <input id="admin-token" type="password" autocomplete="current-password" required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <button type="submit">Unlock</button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
