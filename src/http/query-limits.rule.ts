import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { ErrorCode } from '../errors';

export interface QueryLimits {
  /** Deepest selection nesting. Default 8 (the customer-360 view with its history is 6). */
  readonly maxDepth?: number;
  /**
   * Largest estimated cost: every field costs 1, and a field's selections are
   * multiplied by its `first` argument (default 20), so `customers(first: 100)
   * { contracts { product } }` costs what it may fetch. Default 5,000.
   */
  readonly maxCost?: number;
  /** Most aliased or repeated root fields per operation, against batching abuse. Default 30. */
  readonly maxRootFields?: number;
  /** Most aliases in a document (alias bombs). Default 15. */
  readonly maxAliases?: number;
  /** Most directives in a document (directive overloading). Default 20. */
  readonly maxDirectives?: number;
}

const tooComplex = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } });

/** Rejects an operation before it runs when it is too deep or too costly. */
export function queryLimitsRule(limits: QueryLimits = {}): ValidationRule {
  const maxDepth = limits.maxDepth ?? 8;
  const maxCost = limits.maxCost ?? 5_000;
  const maxRootFields = limits.maxRootFields ?? 30;
  const maxAliases = limits.maxAliases ?? 15;
  const maxDirectives = limits.maxDirectives ?? 20;
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const measure = (set: SelectionSetNode, depth: number, seen: ReadonlySet<string>): { depth: number; cost: number; roots: number } => {
      let deepest = depth;
      let cost = 0;
      let roots = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          roots += 1;
          if (selection.name.value.startsWith('__')) continue;
          const firstArg = selection.arguments?.find((a) => a.name.value === 'first');
          const multiplier = firstArg?.value.kind === Kind.INT ? Math.max(1, Number(firstArg.value.value)) : firstArg ? 100 : 1;
          const inner = selection.selectionSet ? measure(selection.selectionSet, depth + 1, seen) : { depth, cost: 0, roots: 0 };
          deepest = Math.max(deepest, inner.depth);
          cost += 1 + (selection.selectionSet ? multiplier * Math.max(1, inner.cost) : 0);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const inner = measure(selection.selectionSet, depth, seen);
          deepest = Math.max(deepest, inner.depth);
          cost += inner.cost;
          roots += inner.roots;
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || seen.has(name)) continue; // unknown or cyclic: graphql's own rules report it
          const inner = measure(fragment.selectionSet, depth, new Set([...seen, name]));
          deepest = Math.max(deepest, inner.depth);
          cost += inner.cost;
          roots += inner.roots;
        }
      }
      return { depth: deepest, cost, roots };
    };
    let aliases = 0;
    let directives = 0;
    return {
      Field(node) {
        if (node.alias) aliases += 1;
      },
      Directive() {
        directives += 1;
      },
      Document: {
        leave() {
          if (aliases > maxAliases) context.reportError(tooComplex(`${aliases} aliases exceed the limit of ${maxAliases}`));
          if (directives > maxDirectives) context.reportError(tooComplex(`${directives} directives exceed the limit of ${maxDirectives}`));
        },
      },
      OperationDefinition(node) {
        const { depth, cost, roots } = measure(node.selectionSet, 0, new Set());
        if (depth > maxDepth) context.reportError(tooComplex(`query depth ${depth} exceeds the limit of ${maxDepth}`));
        else if (cost > maxCost) context.reportError(tooComplex(`query cost ${cost} exceeds the limit of ${maxCost}`));
        else if (roots > maxRootFields) context.reportError(tooComplex(`${roots} root fields exceed the limit of ${maxRootFields}`));
      },
    };
  };
}
