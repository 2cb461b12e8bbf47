import type { ReactNode } from 'react';

/**
 * A table cell that carries its column name, so that on a phone the table
 * can show each row as a card with labelled values (see `.table-cards`).
 */
export function Cell({ label, className, children }: { label?: string; className?: string; children: ReactNode }) {
  return (
    <td data-label={label} className={className}>
      <div>{children}</div>
    </td>
  );
}
