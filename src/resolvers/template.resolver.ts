import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import type { TemplateDescriptor } from '../render/template.schema';
import { JSONScalar } from '../schema/scalars';
import type { FieldSpec } from '../render/template.data';
import { Template, TemplateField } from '../schema/template.type';
import type { GatewayContext } from './context';
import { ACCESS } from '../services/principal';

@Resolver(() => Template)
export class TemplateResolver {
  @Authorized(ACCESS.operations)
  @Query(() => [Template], { description: 'Every template at its active version.' })
  async templates(@Ctx() ctx: GatewayContext): Promise<Template[]> {
    await ctx.services.templateVersions?.sync();
    return ctx.services.templates.list().map(templateOf);
  }

  @Authorized(ACCESS.publishTemplates)
  @Mutation(() => Template, {
    description: 'Admin: a new version of an existing template (the JSON of a template file), checked like the files; every later send in every process uses it, earlier communications keep theirs. BAD_USER_INPUT naming the field when it does not validate.',
  })
  async publishTemplate(@Arg('definition', () => JSONScalar) definition: unknown, @Ctx() ctx: GatewayContext): Promise<Template> {
    if (!ctx.services.templateVersions) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'publishTemplate: template versions are not available in this process');
    return templateOf(await ctx.services.templateVersions.publish(definition, ctx.principal.subject, new Date()));
  }
}

function templateOf(t: TemplateDescriptor): Template {
  return {
    key: t.key,
    name: t.name,
    channels: [...t.channels],
    languages: [...t.languages],
    requiresContract: t.requiresContract,
    dataFields: fieldsOf(t.fields),
    version: t.version,
    editableBlocks: [...t.editableBlocks],
    approvalRequired: t.approvalRequired,
    approvalWhenEdited: t.approvalWhenEdited,
  };
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
