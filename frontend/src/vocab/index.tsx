/**
 * Enum labels from the API's `vocabulary` query (kk/ru/en names), loaded
 * once per page load. Until they arrive (or if they fail) the code is shown.
 */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { gql } from '../api/client';
import { VocabulariesDocument, type VocabulariesQuery } from '../api/generated';
import { useI18n, type Lang } from '../i18n';

export type VocabularyKey = keyof VocabulariesQuery;
type Entry = VocabulariesQuery[VocabularyKey][number];

export interface Vocab {
  loaded: boolean;
  /** The name of `code` in the current language. */
  label(vocab: VocabularyKey, code: string | null | undefined): string;
  /** Every value, in the API's order, for a select. */
  options(vocab: VocabularyKey): Array<{ value: string; label: string }>;
  /** Whether `code` belongs to `vocab`. */
  has(vocab: VocabularyKey, code: string): boolean;
}

const VocabContext = createContext<VocabulariesQuery | null>(null);

let cache: Promise<VocabulariesQuery> | null = null;
function load(): Promise<VocabulariesQuery> {
  cache ??= gql(VocabulariesDocument).catch((e: unknown) => {
    cache = null;
    throw e;
  });
  return cache;
}

export function VocabularyProvider({ children, initial }: { children: ReactNode; initial?: VocabulariesQuery }) {
  const [data, setData] = useState<VocabulariesQuery | null>(initial ?? null);
  useEffect(() => {
    if (initial) return;
    let live = true;
    const attempt = (n: number) =>
      load().then(
        (d) => live && setData(d),
        () => live && n < 3 && setTimeout(() => attempt(n + 1), 2000 * (n + 1)),
      );
    void attempt(0);
    return () => {
      live = false;
    };
  }, [initial]);
  return <VocabContext.Provider value={data}>{children}</VocabContext.Provider>;
}

function nameIn(e: Entry, lang: Lang): string {
  return lang === 'kk' ? e.nameKk : lang === 'ru' ? e.nameRu : e.nameEn;
}

export function useVocab(): Vocab {
  const data = useContext(VocabContext);
  const { lang } = useI18n();
  return useMemo<Vocab>(
    () => ({
      loaded: data !== null,
      label: (vocab, code) => {
        if (!code) return '';
        const e = data?.[vocab].find((x) => x.code === code);
        return e ? nameIn(e, lang) : code;
      },
      options: (vocab) => (data?.[vocab] ?? []).map((e) => ({ value: e.code, label: nameIn(e, lang) })),
      has: (vocab, code) => !!data?.[vocab].some((x) => x.code === code),
    }),
    [data, lang],
  );
}
