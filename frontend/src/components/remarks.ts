import type { RemarkFieldsFragment, ReviewFieldsFragment } from '../api/generated';

export interface RemarkMap {
  /** API field name → remark texts. */
  fields: Record<string, string[]>;
  /** Document kind → remark texts. */
  documents: Record<string, string[]>;
  all: RemarkFieldsFragment[];
}

/** Groups remarks by the field or document kind they concern. */
export function groupRemarks(remarks: readonly RemarkFieldsFragment[]): RemarkMap {
  const out: RemarkMap = { fields: {}, documents: {}, all: [...remarks] };
  for (const r of remarks) {
    if (r.field) (out.fields[r.field] ??= []).push(r.text);
    else if (r.documentKind) (out.documents[r.documentKind] ??= []).push(r.text);
  }
  return out;
}

/**
 * The remarks the owner must address now: those of the last decision when
 * it was a return and nothing has been submitted since.
 */
export function openRemarks(reviews: readonly ReviewFieldsFragment[]): RemarkFieldsFragment[] {
  const last = reviews[reviews.length - 1];
  return last && last.decision === 'RETURNED' ? last.remarks : [];
}

/** The undecided review, if any. */
export function openReview<R extends { decision: unknown }>(reviews: readonly R[]): R | undefined {
  const last = reviews[reviews.length - 1];
  return last && last.decision == null ? last : undefined;
}

/** A remark row of the return form. */
export interface RemarkRow {
  /** `field:<name>` or `doc:<DocumentKind>`. */
  target: string;
  text: string;
}

/** Rows → the mutation's remarks; rows without text are dropped, a row without a target is an error. */
export function remarksInput(rows: readonly RemarkRow[]): { remarks: Array<{ field?: string; documentKind?: string; text: string }>; invalid: number[] } {
  const remarks: Array<{ field?: string; documentKind?: string; text: string }> = [];
  const invalid: number[] = [];
  rows.forEach((r, i) => {
    const text = r.text.trim();
    if (!text && !r.target) return;
    if (!text || !r.target) {
      invalid.push(i);
      return;
    }
    if (r.target.startsWith('field:')) remarks.push({ field: r.target.slice(6), text });
    else if (r.target.startsWith('doc:')) remarks.push({ documentKind: r.target.slice(4), text });
    else invalid.push(i);
  });
  return { remarks, invalid };
}
