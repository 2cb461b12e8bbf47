import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { renderWithProviders } from './helpers';
import { ObjectServices } from '../screens/ObjectServices';
import type { ObjectServiceFragment } from '../api/generated';

const SERVICES: ObjectServiceFragment[] = [
  {
    id: 's1',
    serviceId: 'EDS.DocStatus',
    nameKk: 'Құжат мәртебесін алу',
    nameRu: 'Получение статуса документа',
    nameEn: 'Document status',
    gateway: 'EGG',
    status: 'IN_PRODUCTION',
  },
  {
    id: 's2',
    serviceId: 'EDS.Payments',
    nameKk: 'Төлемдер',
    nameRu: 'Платежи',
    nameEn: null,
    gateway: 'EPG',
    status: 'IN_TESTING',
  },
];

const row = (serviceId: string) => document.querySelector<HTMLElement>(`[data-service-id="${serviceId}"]`)!;

describe('services of an object', () => {
  it('lists each service with its ServiceID linking to its page, name, gateway and status in the reader\'s language', () => {
    renderWithProviders(<ObjectServices services={SERVICES} />, { lang: 'ru' });
    const section = screen.getByTestId('object-services');
    expect(within(section).getByRole('heading', { name: 'Предоставляемые сервисы (2)' })).toBeTruthy();
    const link = within(row('EDS.DocStatus')).getByRole('link', { name: 'EDS.DocStatus' });
    expect(link.getAttribute('href')).toBe('/services/EDS.DocStatus');
    expect(within(row('EDS.DocStatus')).getByText('Получение статуса документа')).toBeTruthy();
    expect(within(row('EDS.DocStatus')).getByText('Шлюз электронного правительства (ШЭП)')).toBeTruthy();
    expect(within(row('EDS.DocStatus')).getByText('В промышленной эксплуатации').className).toBe('badge badge-svc-in_production');
    expect(within(row('EDS.Payments')).getByText('Платёжный шлюз (ПШЭП)')).toBeTruthy();
    expect(within(row('EDS.Payments')).getByText('На тестировании')).toBeTruthy();
    expect(screen.queryByTestId('object-services-empty')).toBeNull();
  });

  it('names a service in Kazakh, and in English falls back to Russian when it has no English name', () => {
    const { unmount } = renderWithProviders(<ObjectServices services={SERVICES} />, { lang: 'kk' });
    expect(within(row('EDS.DocStatus')).getByText('Құжат мәртебесін алу')).toBeTruthy();
    expect(within(row('EDS.Payments')).getByText('Төлемдер')).toBeTruthy();
    unmount();
    renderWithProviders(<ObjectServices services={SERVICES} />, { lang: 'en' });
    expect(within(row('EDS.DocStatus')).getByText('Document status')).toBeTruthy();
    expect(within(row('EDS.Payments')).getByText('Платежи')).toBeTruthy();
  });

  it('says so when the object provides no service the reader may see', () => {
    renderWithProviders(<ObjectServices services={[]} />, { lang: 'kk' });
    expect(screen.getByTestId('object-services-empty').textContent).toBe('Тізілімде бұл объектінің сервистері жоқ немесе олар сізге қолжетімсіз.');
    expect(screen.queryByRole('table')).toBeNull();
  });
});
