import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { catalogues, format, LANGS } from './index';
import { en } from './en';

const keys = Object.keys(en).sort();
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  for (const lang of LANGS) {
    it(`${lang} has every key, and no other`, () => {
      const cat = catalogues[lang] as Record<string, string>;
      const missing = keys.filter((k) => !(k in cat));
      const extra = Object.keys(cat).filter((k) => !(k in en));
      expect(missing, `missing in ${lang}`).toEqual([]);
      expect(extra, `unknown keys in ${lang}`).toEqual([]);
    });

    it(`${lang} has no empty message and the same placeholders as English`, () => {
      const cat = catalogues[lang] as Record<string, string>;
      for (const k of keys) {
        expect(cat[k]?.trim(), `${lang}: ${k} is empty`).toBeTruthy();
        expect(placeholders(cat[k]!), `${lang}: ${k} placeholders`).toEqual(placeholders((en as Record<string, string>)[k]!));
      }
    });
  }

  it('Kazakh and Russian are translated, not copied from English', () => {
    const same = (l: 'kk' | 'ru') =>
      keys.filter((k) => catalogues[l][k as keyof typeof en] === en[k as keyof typeof en] && /[a-z]{4}/i.test(en[k as keyof typeof en]));
    // Names that are the same in every language.
    const allowed = new Set(['nav.graphiql', 'lang.kk', 'lang.ru', 'lang.en']);
    expect(same('kk').filter((k) => !allowed.has(k))).toEqual([]);
    expect(same('ru').filter((k) => !allowed.has(k))).toEqual([]);
  });

  it('every key used in the source exists (including keys built from enum values)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.tsx?$/.test(f) && !/\.test\./.test(f) && !p.includes('generated')) files.push(p);
      }
    };
    walk(join(process.cwd(), 'src'));
    const used = new Set<string>();
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z]+\.[a-zA-Z.]+)'/g)) used.add(m[1]!);
      for (const m of src.matchAll(/(?:label|title|text): '([a-z]+\.[a-zA-Z]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    const unknown = [...used].filter((k) => !(k in en));
    expect(unknown).toEqual([]);
    // Keys built at run time.
    for (const a of ['CREATED', 'UPDATED', 'ARCHIVED']) expect(en).toHaveProperty(`action.${a}`);
    for (const l of LANGS) expect(en).toHaveProperty(`lang.${l}`);
  });

  it('fills placeholders', () => {
    expect(format('Page {page} of {n}', { page: 2, n: 3 })).toBe('Page 2 of 3');
    expect(format('Hi {who}', {})).toBe('Hi {who}');
  });
});
