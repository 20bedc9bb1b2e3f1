/** The commands, in the order help lists them (also what the entry names compile caches after). */
export const COMMANDS: readonly string[] = ['run', 'validate', 'graph', 'schema', 'oasst', 'rules', 'report', 'view', 'push', 'mock-server', 'cache', 'queue', 'worker', 'completion'];
