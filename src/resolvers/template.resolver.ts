import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { FieldSpec } from '../render/template.data';
import { Template, TemplateField } from '../schema/template.type';
import type { GatewayContext } from './context';
import { ACCESS } from '../services/principal';

@Resolver(() => Template)
export class TemplateResolver {
  @Authorized(ACCESS.operations)
  @Query(() => [Template])
  templates(@Ctx() ctx: GatewayContext): Template[] {
    return ctx.services.templates.list().map((t) => ({
      key: t.key,
      name: t.name,
      channels: [...t.channels],
      languages: [...t.languages],
      requiresContract: t.requiresContract,
      dataFields: fieldsOf(t.fields),
      version: 1,
      editableBlocks: [...t.editableBlocks],
      approvalRequired: t.approvalRequired,
      approvalWhenEdited: t.approvalWhenEdited,
    }));
  }
}

/** The declared fields as the validator reads them (template.data.ts), in declaration order. */
export function fieldsOf(fields: Readonly<Record<string, FieldSpec>>): TemplateField[] {
  return Object.entries(fields).map(([name, spec]) => ({
    name,
    type: spec.type,
    required: spec.required,
    description: spec.description ?? null,
    maxLength: spec.type === 'string' ? spec.maxLength : null,
    maxItems: spec.type === 'array' ? spec.maxItems : null,
    items: spec.items ? fieldsOf(spec.items) : null,
  }));
}
