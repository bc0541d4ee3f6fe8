/** The tray window's root. The views arrive with the tray window issue. */
export function App() {
  return (
    <main aria-labelledby="beacon-title">
      <h1 id="beacon-title">Beacon</h1>
      <p role="status">Waiting for the connection to your CRM…</p>
    </main>
  );
}
