/** The codec server's sign-in page: where an engineer's browser trades a token for a session cookie. */

/** The page: a form asking for the token, with a refusal or a confirmation when there is one to show. */
export function loginPage(refusal?: string, signedInForHours?: number): string {
  const said =
    signedInForHours !== undefined
      ? // `temporal server start-dev --ui-codec-endpoint` cannot ask the UI for credentials; the browser's setting can.
        `<p role="status">Signed in for ${signedInForHours} hours. In the Temporal Web UI, open the Codec Server settings (the icon at the top right), choose <em>Use my browser setting and ignore Cluster-level setting</em>, enter this server's address and tick <em>Include cross-origin credentials</em>; you may close this page.</p>`
      : refusal
        ? `<p role="alert">${refusal}</p>`
        : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>byoi-bridge codec server</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}input{width:100%;padding:.4rem}button{margin-top:.8rem;padding:.4rem 1rem}</style></head>
<body>
<h1>byoi-bridge codec server</h1>
<p>Decodes the bridge's sealed Temporal payloads for the Web UI. Sign in with a codec server token (BYOI_CODEC_SERVER_TOKENS).</p>
${said}
<form method="post" action="session">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}
