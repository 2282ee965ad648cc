// The projects context's roles, spelled out: platform libraries may not import a context.
type SampleRole = 'owner' | 'editor' | 'viewer';

const ids = {
  /** The sample project. */
  PROJECT_ID: '0190a5f2-7c3e-7abc-8def-000000000001',
  /** The sample task, in the sample project. */
  TASK_ID: '0190a5f2-7c3e-7abc-8def-000000000002',
  /** The sample comment, on the sample task. */
  COMMENT_ID: '0190a5f2-7c3e-7abc-8def-000000000003',
  /** A project other than the sample one, to show that something stays inside the sample one. */
  OTHER_PROJECT_ID: '0190a5f2-7c3e-7abc-8def-000000000004',
  /** The owner (and creator) of the sample project. */
  OWNER: '0190a5f2-7c3e-7abc-8def-0000000000a1',
  /** An editor of the sample project. */
  EDITOR: '0190a5f2-7c3e-7abc-8def-0000000000a2',
  /** A viewer of the sample project. */
  VIEWER: '0190a5f2-7c3e-7abc-8def-0000000000a3',
  /** A user a spec makes a second owner of the sample project. */
  SECOND_OWNER: '0190a5f2-7c3e-7abc-8def-0000000000a4',
  /** A user a spec adds to the sample project. */
  NEWCOMER: '0190a5f2-7c3e-7abc-8def-0000000000b1',
  /** A user who is no member of the sample project. */
  STRANGER: '0190a5f2-7c3e-7abc-8def-0000000000c1',
};

/**
 * The ids every spec of the sample project uses (fixed UUIDv7s), to take apart in one line:
 * `const { PROJECT_ID, OWNER } = SAMPLE_IDS;`.
 */
export const SAMPLE_IDS: Readonly<typeof ids> = ids;

/** The roles in the sample project: OWNER, EDITOR and VIEWER (as `ProjectAccess.of` takes them). */
export function sampleRoles(): Map<string, SampleRole> {
  const { OWNER, EDITOR, VIEWER } = SAMPLE_IDS;
  return new Map<string, SampleRole>([
    [OWNER, 'owner'],
    [EDITOR, 'editor'],
    [VIEWER, 'viewer'],
  ]);
}
