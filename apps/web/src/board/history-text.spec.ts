import type { HistoryEntry } from '../api/client';
import { ago, describeHistory } from './history-text';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const names: Record<string, string> = { u1: 'Bob', u2: 'Alice' };
const nameOf = (id: string | null) => (id === null ? 'Taskflow' : (names[id] ?? id));

describe('the task panel’s history', () => {
  it('reads a rank change as a move, not as two order keys', () => {
    const entry: HistoryEntry = {
      version: 2,
      action: 'updated',
      actorId: 'u2',
      at: '2026-12-07T11:00:00.000Z',
      changes: {
        status: { oldValue: 'pending', newValue: 'blocked' },
        rank: { oldValue: 'a0', newValue: 'a0V' },
      },
    };

    expect(describeHistory(entry, nameOf, NOW)).toEqual([
      'Alice changed status from pending to blocked · 1 h ago',
      'Alice moved the card · 1 h ago',
    ]);
  });

  it('reads each changed field as a sentence, with names for people', () => {
    const entry: HistoryEntry = {
      version: 3,
      action: 'updated',
      actorId: 'u1',
      at: '2026-12-07T11:58:00.000Z',
      changes: {
        priority: { oldValue: 'medium', newValue: 'high' },
        assigneeId: { oldValue: null, newValue: 'u2' },
        labels: { oldValue: [], newValue: ['bug', 'ui'] },
        dueDate: { oldValue: null, newValue: '2026-12-10T00:00:00.000Z' },
      },
    };

    expect(describeHistory(entry, nameOf, NOW)).toEqual([
      'Bob changed priority from medium to high · 2 min ago',
      'Bob changed assignee from nothing to Alice · 2 min ago',
      'Bob changed labels from nothing to bug, ui · 2 min ago',
      'Bob changed due date from nothing to 2026-12-10 · 2 min ago',
    ]);
  });

  it('says who created and who deleted the task', () => {
    const base = { version: 1, actorId: 'u2', at: '2026-12-07T09:00:00.000Z', changes: {} };

    expect(describeHistory({ ...base, action: 'created' }, nameOf, NOW)).toEqual([
      'Alice created the task · 3 h ago',
    ]);
    expect(describeHistory({ ...base, action: 'deleted', actorId: null }, nameOf, NOW)).toEqual([
      'Taskflow deleted the task · 3 h ago',
    ]);
  });

  it.each([
    ['2026-12-07T11:59:30.000Z', 'just now'],
    ['2026-12-07T11:15:00.000Z', '45 min ago'],
    ['2026-12-06T12:00:00.000Z', '1 d ago'],
  ])('%s is %s', (at, text) => {
    expect(ago(at, NOW)).toBe(text);
  });
});
