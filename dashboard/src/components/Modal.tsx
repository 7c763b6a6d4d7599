import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog opened on mount, closed by Escape, its ✕ or a click on the backdrop. Dialogs sit
 * above the page, so what they hold never changes the one-window layout.
 */
export function Modal({ title, className = '', onClose, children, testId }: { title: ReactNode; className?: string; onClose: () => void; children: ReactNode; testId?: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  return (
    <dialog
      ref={dialog}
      className={`details ${className}`}
      aria-labelledby={id}
      onClose={onClose}
      data-testid={testId}
      onClick={(event) => {
        if (event.target === dialog.current) dialog.current.close();
      }}
    >
      <div className="details-body">
        <header className="details-head">
          <h2 id={id}>{title}</h2>
          <button type="button" className="close" onClick={() => dialog.current?.close()} aria-label="Close">
            ✕
          </button>
        </header>
        {children}
      </div>
    </dialog>
  );
}
