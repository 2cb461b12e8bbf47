// Accessibility audit for the browser story (issue 5 "Quality").
//
// `audit(page)` runs axe-core (the npm devDependency, pinned in
// package-lock.json) inside a playwright page with the WCAG 2.0 and 2.1
// level A and AA rules and returns the violations: rule id, impact, the
// target selectors and, for color-contrast, the measured ratio and colours.
//
// `tabThrough(page, submit)` does what axe cannot: it presses Tab from the
// top of the page and checks that every element that takes focus shows a
// visible indicator (computed outline or box-shadow) and that focus reaches
// the form's submit button.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The axe tags for WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Rules left out of every audit, each with the reason. Empty: every rule of
 * the tags above runs. A rule added here must say why, and be in the report.
 */
export const EXCLUDED_RULES = {};

/**
 * Injects axe into the page (once per document; the UI's CSP allows no inline
 * script, and page.evaluate goes through the DevTools protocol, which CSP does
 * not govern) and audits the whole document.
 *
 * @returns {Promise<Array<{id: string, impact: string, help: string, nodes: Array<{target: string[], contrast?: object}>}>>}
 */
export async function audit(page) {
  const loaded = await page.evaluate(() => typeof window.axe?.run === 'function');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    async ({ tags, off }) => {
      const rules = Object.fromEntries(off.map((id) => [id, { enabled: false }]));
      const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations'] });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => {
          const node = { target: n.target.map(String) };
          if (v.id === 'color-contrast') {
            const d = [...n.any, ...n.all, ...n.none].find((c) => c.data && c.data.contrastRatio !== undefined)?.data;
            if (d) node.contrast = { ratio: d.contrastRatio, expected: d.expectedContrastRatio, fg: d.fgColor, bg: d.bgColor, fontSize: d.fontSize, fontWeight: d.fontWeight };
          }
          return node;
        }),
      }));
    },
    { tags: WCAG_TAGS, off: Object.keys(EXCLUDED_RULES) },
  );
}

/** Violations as readable lines: one per rule, then one per element. */
export function formatViolations(violations) {
  const lines = [];
  for (const v of violations) {
    lines.push(`${v.id} (${v.impact}, ${v.nodes.length}): ${v.help}`);
    for (const n of v.nodes) {
      const c = n.contrast ? `  ${n.contrast.ratio}:1 < ${n.contrast.expected} (${n.contrast.fg} on ${n.contrast.bg}, ${n.contrast.fontSize} ${n.contrast.fontWeight})` : '';
      lines.push(`    ${n.target.join(' ')}${c}`);
    }
  }
  return lines.join('\n');
}

/** Counts per rule id: `{ 'color-contrast': 3, label: 1 }`. */
export function countByRule(violations) {
  return Object.fromEntries(violations.map((v) => [v.id, v.nodes.length]));
}

/**
 * Audits the page; on any violation prints them all (the story's failure
 * message keeps only its first lines) and throws with the counts per rule.
 */
export async function assertAccessible(page, name) {
  const violations = await audit(page);
  if (!violations.length) return;
  console.log(`    axe violations on ${name}:\n${formatViolations(violations).replace(/^/gm, '      ')}`);
  throw new Error(`${name}: axe violations ${JSON.stringify(countByRule(violations))}`);
}

/**
 * Tabs through the page until `submitSelector` has focus (or `maxTabs`
 * presses). Call it right after loading the page (page.goto), so that the
 * first Tab starts at the top, as for a person arriving on it. Every element
 * that receives focus must show a visible focus indicator. Returns the focus
 * order (short descriptions).
 */
export async function tabThrough(page, submitSelector, maxTabs = 80) {
  const order = [];
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate((sel) => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
      const shadow = s.boxShadow !== 'none' && s.boxShadow !== '';
      const label = el.getAttribute('name') || el.getAttribute('aria-label') || (el.textContent ?? '').trim().slice(0, 30) || el.id;
      return {
        what: `${el.tagName.toLowerCase()}${el.type ? `[${el.type}]` : ''} "${label}"`,
        visible: outline || shadow,
        outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
        shadow: s.boxShadow,
        submit: el.matches(sel),
      };
    }, submitSelector);
    if (!info) continue;
    order.push(info.what);
    if (!info.visible) throw new Error(`no visible focus indicator on ${info.what} (outline ${info.outline}, box-shadow ${info.shadow}); order so far: ${order.join(' → ')}`);
    if (info.submit) return order;
  }
  throw new Error(`focus did not reach ${submitSelector} in ${maxTabs} Tabs: ${order.join(' → ')}`);
}
