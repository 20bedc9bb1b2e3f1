import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { checkSchema } from '../config/check-schema.js';
import { applyDefaults } from '../config/defaults.js';
import { GraphFileSchema, NODE_NAME_PATTERN } from './schema.js';
import { ConfigError, type ConfigProblem } from '../config/problems.js';
import { YamlSource } from '../config/source.js';
import { didYouMean } from '../config/suggest.js';
import type { JsonObject } from '../record/item.js';
import { OutputSchema } from '../formats/output-schema.js';
import { compileOutput } from '../formats/shape-record.js';
import { ModelRuntime } from '../llm/models.js';
import { checkModelConfigs } from '../llm/model-schema.js';
import { expandEnv } from '../config/env-expand.js';
import { OasstSourceSchema, sourceOptions } from '../oasst/source-schema.js';
import { NODE_TYPE_NAMES, nodeType } from '../nodes/registry.js';
import { END, START, type CompiledFanout, type CompiledLoop, type Graph, type GraphNode, type Route } from './graph.js';
import { compileFanout, compileLoop, compileRoute } from './routes.js';
import { resolveTopology, type EdgeSpec } from './topology.js';

type GraphFile = Static<typeof GraphFileSchema>;
const NAME = new RegExp(NODE_NAME_PATTERN);

/**
 * Reads, validates and compiles a graph file. Every problem is collected and thrown at once
 * as a ConfigError, each located by file:line:col and key path. The graph's models come
 * from `runtime`, which the caller opened and will close; without one (validation,
 * drawing, thread workers) nothing is opened.
 */
export async function loadGraph(file: string, runtime: ModelRuntime = ModelRuntime.describing(), seed = 0, including: readonly string[] = []): Promise<Graph> {
  const chain = [...including, resolve(file)];
  const source = await YamlSource.load(file);
  const problems: ConfigProblem[] = checkSchema(source, GraphFileSchema, source.data, []);
  if (problems.length > 0) throw new ConfigError(problems);
  for (const p of expandEnv(source.data, runtime.options.env)) problems.push(source.problem(p.path, p.message));
  for (const p of checkModelConfigs((source.data as GraphFile).models ?? {})) problems.push(source.problem(['models', ...p.path], p.message));
  for (const [name, model] of Object.entries((source.data as GraphFile).models ?? {})) {
    if (model.ca_file === undefined) continue;
    // Like modules, a CA file is named relative to the graph file.
    model.ca_file = resolve(dirname(resolve(file)), model.ca_file);
    if (!existsSync(model.ca_file)) problems.push(source.problem(['models', name, 'ca_file'], `no such file: ${model.ca_file}`));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const spec = source.data as GraphFile;
  const dir = dirname(resolve(file));
  const models = runtime.registry(spec.models ?? {});

  const compiled: GraphNode[] = [];
  const warnings: ConfigProblem[] = [];
  for (const [name, raw] of Object.entries(spec.nodes)) {
    if (!NAME.test(name)) {
      problems.push(source.problem(['nodes', name], `node name "${name}" must match ${NODE_NAME_PATTERN} (letters, digits, _ and -)`, 'key'));
      continue;
    }
    if (name === START || name === END) {
      problems.push(source.problem(['nodes', name], `"${name}" is reserved for the implicit start and end`, 'key'));
      continue;
    }
    const definition = await nodeType(String((raw as JsonObject).type));
    if (!definition) {
      problems.push(
        source.problem(
          ['nodes', name, 'type'],
          `unknown node type "${String((raw as JsonObject).type)}"${didYouMean(String((raw as JsonObject).type), NODE_TYPE_NAMES)} (known: ${NODE_TYPE_NAMES.join(', ')})`,
        ),
      );
      continue;
    }
    let config = raw as JsonObject;
    const schemaProblems = checkSchema(source, definition.schema, config, ['nodes', name]);
    if (schemaProblems.length > 0) {
      problems.push(...schemaProblems);
      // Unknown keys alone do not stop compilation, so their neighbours' problems show too.
      config = Value.Clean(definition.schema, structuredClone(config)) as JsonObject;
      if (!Value.Check(definition.schema, config)) continue;
    }
    const node = await definition.compile(applyDefaults(definition.schema, config) as never, {
      name,
      graphDir: dir,
      models,
      seed,
      include: async (sub: string) => {
        if (chain.includes(resolve(sub))) {
          throw new ConfigError([source.problem(['nodes', name, 'graph'], `include cycle: ${[...chain, resolve(sub)].map((f) => basename(f)).join(' → ')}`)]);
        }
        const inner = await loadGraph(sub, runtime, seed, chain);
        models.adopt(name, inner.models);
        return inner;
      },
      reportForeign: (foreign) => problems.push(...foreign),
      written: config,
      report: (path, message) => problems.push(source.problem(['nodes', name, ...path], message)),
      warn: (path, message) => warnings.push(source.problem(['nodes', name, ...path], message)),
    });
    if (node) compiled.push({ name, type: definition.type, config, compiled: node });
  }

  const output = spec.output ? await compileOutput(applyDefaults(OutputSchema, spec.output), (path, message) => problems.push(source.problem(['output', ...path], message))) : null;

  const topology = resolveTopology(Object.keys(spec.nodes), spec.edges as EdgeSpec[] | undefined);
  if (Array.isArray(topology)) {
    for (const p of topology) {
      problems.push('node' in p.at ? source.problem(['nodes', p.at.node], p.message, 'key') : source.problem(['edges', p.at.edge, ...p.at.key.split('.')], p.message));
    }
    throw new ConfigError(problems);
  }
  const report = (path: Array<string | number>, message: string): void => void problems.push(source.problem(path, message));
  const names = new Set(Object.keys(spec.nodes));
  const routes = new Map<string, Route>();
  for (const [name, routeSpec] of topology.routes) {
    const route = await compileRoute(name, routeSpec, names, dir, report);
    if (route) routes.set(name, route);
  }
  const loops = topology.loops.map((l) => compileLoop(l, report)).filter((l): l is CompiledLoop => l !== undefined);
  const fanouts: CompiledFanout[] = [];
  for (const f of topology.fanouts) {
    const c = await compileFanout(f, dir, report);
    if (c) fanouts.push(c);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const byName = new Map(compiled.map((n) => [n.name, n]));
  return {
    file,
    dir,
    sha256: source.sha256,
    nodes: topology.order.map((n) => byName.get(n)!),
    entry: topology.entry,
    routes,
    loops,
    fanouts,
    routeSpecs: topology.routes,
    loopSpecs: topology.loops,
    models,
    source: spec.source ? sourceOptions(applyDefaults(OasstSourceSchema, spec.source)) : null,
    output: output ?? null,
    warnings,
  };
}
