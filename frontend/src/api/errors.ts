/**
 * Turns API errors into what a form shows: the message in the user's
 * language next to the field named by `extensions.field`, everything else
 * above the form.
 */
import { ApiError, type ApiLang, type GraphQLErrorItem } from './client';

/** The message of one error in `lang`, without the API's leading `field: `. */
export function errorMessage(e: GraphQLErrorItem, lang: ApiLang): string {
  const text = e.messages?.[lang] ?? e.messages?.ru ?? e.message;
  if (e.field && text.startsWith(`${e.field}: `)) return text.slice(e.field.length + 2);
  return text;
}

export interface SplitErrors {
  /** Field name → message, for fields the form has. */
  byField: Record<string, string>;
  /** Messages shown above the form. */
  general: string[];
}

export interface ErrorTexts {
  network: string;
  unexpected: string;
}

/**
 * Splits an error for a form with `fields`. An error whose field the form
 * does not show goes to `general`, so nothing is hidden.
 */
export function splitErrors(err: unknown, fields: readonly string[], lang: ApiLang, texts: ErrorTexts): SplitErrors {
  const out: SplitErrors = { byField: {}, general: [] };
  if (!err) return out;
  if (!(err instanceof ApiError)) {
    out.general.push(texts.unexpected);
    return out;
  }
  for (const e of err.errors) {
    if (e.code === 'NETWORK') {
      out.general.push(texts.network);
      continue;
    }
    const msg = errorMessage(e, lang);
    const field = e.field ? fieldFor(e.field, fields) : undefined;
    if (field && !(field in out.byField)) out.byField[field] = msg;
    else out.general.push(msg);
  }
  return out;
}

/** Matches `relations[0].targetId` or `input.bin` to a form field. */
function fieldFor(apiField: string, fields: readonly string[]): string | undefined {
  if (fields.includes(apiField)) return apiField;
  const parts = apiField.split(/[.[\]]+/).filter(Boolean);
  return parts.find((p) => fields.includes(p));
}

/** Whether the error is the optimistic-locking refusal. */
export function isVersionConflict(err: unknown): boolean {
  return err instanceof ApiError && err.errors.some((e) => e.code === 'CONFLICT' && e.field === 'expectedVersion');
}
