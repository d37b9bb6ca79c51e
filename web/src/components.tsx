import type { ReactNode } from 'react';
import { problemOf } from './format.js';

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** An error with its code in words (and the code and server message for support). */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = problemOf(error);
  return (
    <div className="error" role="alert">
      <strong>{problem.words}</strong> <code>{problem.code}</code>
      <div className="detail">{problem.detail}</div>
    </div>
  );
}

export function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** Previous/next over a connection: `after` cursors are kept so "Previous" can go back. */
export function Pager({
  cursors,
  endCursor,
  hasNextPage,
  onChange,
}: {
  cursors: (string | null)[];
  endCursor: string | null | undefined;
  hasNextPage: boolean;
  onChange: (cursors: (string | null)[]) => void;
}) {
  return (
    <div className="pager">
      <button
        disabled={cursors.length <= 1}
        onClick={() => {
          onChange(cursors.slice(0, -1));
        }}
      >
        Previous
      </button>
      <span>Page {cursors.length}</span>
      <button
        disabled={!hasNextPage || !endCursor}
        onClick={() => {
          onChange([...cursors, endCursor ?? null]);
        }}
      >
        Next
      </button>
    </div>
  );
}
