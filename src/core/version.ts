/**
 * q1forge's version, stamped into every compiled schedule (`compiler_version`) and job provenance.
 * test/core/version.test.ts keeps it equal to package.json's version.
 */
export const Q1FORGE_VERSION = "0.1.0";
