import { useEffect, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n';
import { hasNavigated } from '../router';

/**
 * The page's heading. It takes focus when the user moves to another page
 * within the app (not on the first load, where the skip link comes first),
 * so keyboard and screen-reader users land on the new content; it also sets
 * the tab title.
 */
export function PageTitle({ children, text }: { children: ReactNode; text: string }) {
  const { t } = useI18n();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${text} · ${t('app.title')}`;
  }, [text, t]);
  useEffect(() => {
    if (hasNavigated()) ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} className="page-title">
      {children}
    </h1>
  );
}
