import { useEffect, type RefObject } from 'react';

/**
 * Client-side check for required fields left empty, so the user sees every
 * missing field at once (the API reports one error at a time). Everything
 * else is the API's to judge.
 */
export function missingFields<T extends object>(values: T, required: ReadonlyArray<keyof T & string>, message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of required) {
    const v = values[k];
    if (typeof v === 'string' ? v.trim() === '' : v === null || v === undefined) out[k] = message;
  }
  return out;
}

/** After a refusal, moves focus to the first invalid control (or the form's alert). */
export function useFocusFirstError(form: RefObject<HTMLFormElement | null>, trigger: unknown) {
  useEffect(() => {
    if (!trigger || !form.current) return;
    const el = form.current.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.current.querySelector<HTMLElement>('.alert-error');
    el?.focus();
  }, [form, trigger]);
}
