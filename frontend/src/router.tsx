/**
 * A small History-API router: the server falls back to index.html for
 * every path, so deep links work. Routes are matched in `App.tsx`.
 */
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const listeners = new Set<() => void>();
let navigations = 0;

/** Whether the user has moved within the app since the page loaded. */
export function hasNavigated(): boolean {
  return navigations > 0;
}

function notify() {
  for (const l of listeners) l();
}

/** Goes to `to` (path plus optional query), adding a history entry unless `replace`. */
export function navigate(to: string, opts: { replace?: boolean } = {}) {
  navigations++;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.scrollTo(0, 0);
  notify();
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    const pop = () => {
      navigations++;
      update();
    };
    listeners.add(update);
    window.addEventListener('popstate', pop);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', pop);
    };
  }, []);
  return loc;
}

/** Matches `/objects/:id/edit` against a path; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    const val = s[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(val);
    else if (seg !== val) return null;
  }
  return params;
}

export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
