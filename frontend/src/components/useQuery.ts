import { useCallback, useEffect, useRef, useState } from 'react';
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { gql } from '../api/client';

export interface QueryState<R> {
  data: R | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * Runs a query when `key` (the JSON of its variables by default) changes.
 * The previous data stays while a new request runs, so nothing jumps.
 */
export function useQuery<R, V>(doc: DocumentTypeDecoration<R, V>, variables: V, opts: { skip?: boolean } = {}): QueryState<R> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data: R | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: !opts.skip,
  });
  const [tick, setTick] = useState(0);
  const vars = useRef(variables);
  vars.current = variables;

  useEffect(() => {
    if (opts.skip) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    gql(doc, vars.current).then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [doc, key, tick, opts.skip]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}
