/** Loading, error and empty states of a live panel. */
export function PanelState({ loaded, error, empty, what }: { loaded: boolean; error: string | undefined; empty: boolean; what: string }) {
  if (error) {
    return (
      <p className="error" role="alert">
        Cannot show {what}: {error}
      </p>
    );
  }
  if (!loaded) return <p className="muted" role="status">Loading {what}…</p>;
  if (empty) return <p className="muted">No {what} yet.</p>;
  return null;
}
