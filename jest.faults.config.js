/**
 * The fault-injection suite (`npm run test:faults`): kills workers, restarts
 * Redis, takes SMTP, a back-office system and PostgreSQL away mid-run. Each
 * scenario loads the two cores on its own, so they run one after another.
 * The main config (roots: test, *.test.ts) never picks these files up.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.fault.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
    // jose ships ES modules only. Node 20.19 loads them with require(); jest's own
    // module loader cannot (before Node 24.9), so they are compiled to CommonJS for it.
    '/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 180_000,
  maxWorkers: 1,
};
