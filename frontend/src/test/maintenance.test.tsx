import { describe, expect, it, beforeEach, afterEach, vi } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import { resetSessionForTests } from '../api/client';
import { apiError, mockGraphQL, renderWithProviders } from './helpers';
import { almatyInstant, MaintenanceSection } from '../screens/Maintenance';

beforeEach(() => resetSessionForTests());
afterEach(() => vi.unstubAllGlobals());

const field = (name: string) => document.querySelector<HTMLElement>(`[data-field="${name}"]`)!;
const set = (name: string, value: string) => fireEvent.change(field(name).querySelector('input, select, textarea')!, { target: { value } });

const WINDOW = {
  id: 'w1',
  startsAt: '2025-03-11T17:00:00Z',
  endsAt: '2025-03-11T20:00:00Z',
  descriptionKk: 'Дерекқорды жаңарту',
  descriptionRu: 'Обновление базы данных',
  descriptionEn: null,
  impact: 'FULL_OUTAGE' as const,
  offHoursReason: null,
  outsideDefaultWindow: false,
};

describe('maintenance windows', () => {
  it('reads the typed time as Almaty time (UTC+5)', () => {
    expect(almatyInstant('2025-03-11T22:00')).toBe('2025-03-11T17:00:00.000Z');
    expect(almatyInstant('2025-03-11')).toBeNull();
    expect(almatyInstant('')).toBeNull();
  });

  it('lists upcoming windows in the reader\'s language, without a form for others', () => {
    renderWithProviders(<MaintenanceSection serviceId="S-1" windows={[WINDOW]} canAnnounce={false} onAnnounced={() => {}} />, { lang: 'kk' });
    const list = screen.getByTestId('maintenance-list');
    expect(within(list).getByText('Дерекқорды жаңарту')).toBeTruthy();
    expect(within(list).getByText(/Қолжетімсіз/)).toBeTruthy();
    expect(screen.queryByTestId('maintenance-open')).toBeNull();
  });

  it('announces, showing the API\'s refusal next to its field and keeping the input', async () => {
    let refuse = true;
    const calls = mockGraphQL({
      AnnounceMaintenanceWindow: () =>
        refuse
          ? apiError('INVALID_INPUT', 'startsAt', 'announce at least 3 working days ahead', 'не позднее чем за 3 рабочих дня', 'кемінде 3 жұмыс күні бұрын')
          : { data: { announceMaintenanceWindow: { maintenanceWindow: WINDOW } } },
    });
    const announced = vi.fn();
    renderWithProviders(<MaintenanceSection serviceId="S-1" windows={[]} canAnnounce onAnnounced={announced} />, { lang: 'ru' });
    expect(screen.getByText('Технические работы не запланированы.')).toBeTruthy();
    fireEvent.click(screen.getByTestId('maintenance-open'));
    fireEvent.submit(screen.getByTestId('maintenance-form'));
    expect(await within(field('startsAt')).findByText(/./, { selector: '.field-error' })).toBeTruthy();
    expect(calls).toHaveLength(0);
    set('startsAt', '2025-03-11T22:00');
    set('endsAt', '2025-03-12T01:00');
    set('descriptionKk', 'Дерекқорды жаңарту');
    set('descriptionRu', 'Обновление базы данных');
    fireEvent.submit(screen.getByTestId('maintenance-form'));
    expect(await within(field('startsAt')).findByText('не позднее чем за 3 рабочих дня')).toBeTruthy();
    expect(calls[0]!.variables).toEqual({
      input: {
        serviceId: 'S-1',
        startsAt: '2025-03-11T17:00:00.000Z',
        endsAt: '2025-03-11T20:00:00.000Z',
        descriptionKk: 'Дерекқорды жаңарту',
        descriptionRu: 'Обновление базы данных',
        descriptionEn: null,
        impact: 'FULL_OUTAGE',
        offHoursReason: null,
      },
    });
    expect((field('descriptionRu').querySelector('textarea') as HTMLTextAreaElement).value).toBe('Обновление базы данных');
    refuse = false;
    fireEvent.submit(screen.getByTestId('maintenance-form'));
    expect(await screen.findByText('Технические работы объявлены; потребители сервиса уведомлены.')).toBeTruthy();
    expect(announced).toHaveBeenCalledTimes(1);
  });
});
