import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey, type Messages } from './en';
import { kk } from './kk';
import { ru } from './ru';
import { setRequestLanguage } from '../api/client';

/** The portal's languages, in the order shown in the switch. */
export const LANGS = ['kk', 'ru', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export const catalogues: Record<Lang, Messages> = { kk, ru, en };

/** BCP 47 tags for `Intl`. */
const LOCALES: Record<Lang, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' };

/** Time is shown in the portal's local time (002 §12). */
export const TIME_ZONE = 'Asia/Almaty';

const STORAGE_KEY = 'archportal.lang';

export function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGS as readonly string[]).includes(v);
}

/** The remembered language, else the browser's, else Kazakh. */
export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLang(saved)) return saved;
  } catch {
    /* storage disabled */
  }
  const nav = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [];
  for (const tag of nav) {
    const base = tag.slice(0, 2).toLowerCase();
    if (isLang(base)) return base;
  }
  return 'kk';
}

export type Vars = Record<string, string | number>;

/** Fills `{name}` placeholders. */
export function format(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  // A key built at run time from an unknown value shows the key, never crashes.
  return format(catalogues[lang][key] ?? en[key] ?? key, vars);
}

export interface Formatters {
  /** A DateTime (RFC 3339) in Asia/Almaty local time. */
  dateTime(iso: string): string;
  /** A calendar date (`YYYY-MM-DD`), not shifted by any time zone. */
  date(isoDate: string): string;
  number(n: number): string;
}

/**
 * Whether the runtime has Kazakh date data. Some Chromium builds (Debian's)
 * ship ICU without it and fall back to the root pattern (`2026 M11 22`).
 */
let kkData: boolean | undefined;
function hasKazakhData(): boolean {
  if (kkData === undefined) {
    const month = new Intl.DateTimeFormat('kk-KZ', { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2026, 10, 15)));
    kkData = /[а-яәіңғүұқөһ]/i.test(month);
  }
  return kkData;
}

export function formatters(lang: Lang): Formatters {
  // Without Kazakh data: the numeric forms used in Kazakhstan (22.11.2026,
  // 1 234 567,5), which ru-RU produces.
  const fallback = lang === 'kk' && !hasKazakhData();
  const locale = fallback ? 'ru-RU' : LOCALES[lang];
  const numericDate = { day: '2-digit', month: '2-digit', year: 'numeric' } as const;
  const dt = new Intl.DateTimeFormat(
    locale,
    fallback ? { ...numericDate, hour: '2-digit', minute: '2-digit', timeZone: TIME_ZONE } : { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE },
  );
  const d = new Intl.DateTimeFormat(locale, fallback ? { ...numericDate, timeZone: 'UTC' } : { dateStyle: 'medium', timeZone: 'UTC' });
  const n = new Intl.NumberFormat(locale);
  return {
    dateTime: (iso) => {
      const v = new Date(iso);
      return Number.isNaN(v.getTime()) ? iso : dt.format(v);
    },
    date: (isoDate) => {
      const v = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
      return Number.isNaN(v.getTime()) ? isoDate : d.format(v);
    },
    number: (x) => n.format(x),
  };
}

export interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Vars): string;
  fmt: Formatters;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children, lang: fixed }: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => fixed ?? initialLang());
  setRequestLanguage(lang);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    setRequestLanguage(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* storage disabled */
    }
  }, []);

  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, vars) => translate(lang, key, vars),
      fmt: formatters(lang),
    }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

export type { MessageKey };
