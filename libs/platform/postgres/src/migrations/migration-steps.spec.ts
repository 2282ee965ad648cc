import { type MigrationStep, assembleMigrationSteps, tableStep } from './migration-steps';

const step = (name: string): MigrationStep =>
  tableStep(name, `CREATE TABLE IF NOT EXISTS t${name.slice(0, 4)} (id uuid PRIMARY KEY)`);
const names = (steps: readonly MigrationStep[]): string[] => steps.map((s) => s.name);

describe('assembleMigrationSteps', () => {
  it('puts the steps of every list in one order, by name, whatever order the lists come in', () => {
    // Prepare
    const platform = [step('0002-b'), step('0010-e')];
    const users = [step('0001-a'), step('0009-d')];
    const tasks = [step('0003-c')];

    // Act
    const assembled = assembleMigrationSteps(tasks, platform, users);

    // Assess
    expect(names(assembled)).toEqual(['0001-a', '0002-b', '0003-c', '0009-d', '0010-e']);
  });

  it('refuses two steps of one name, within a list or across lists', () => {
    // Act
    const across = () => assembleMigrationSteps([step('0001-a')], [step('0001-a')]);
    const within = () => assembleMigrationSteps([step('0002-b'), step('0002-b')]);

    // Assess
    expect(across).toThrow('two migration steps are named 0001-a');
    expect(within).toThrow('two migration steps are named 0002-b');
  });

  it('leaves the given lists as they were', () => {
    // Prepare
    const list = [step('0002-b'), step('0001-a')];

    // Act
    assembleMigrationSteps(list);

    // Assess
    expect(names(list)).toEqual(['0002-b', '0001-a']);
  });
});
