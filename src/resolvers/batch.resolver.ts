import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData, Authorized } from 'type-graphql';
import { ACCESS } from '../services/principal';
import { bulkServiceOf } from '../bulk/bulk.api';
import type { BatchProgressSnapshot } from '../store/batch-progress.queries';
import { badInput } from '../errors';
import { Batch, BatchConnection, BatchProgress, BatchRejection, BatchTargetInfo } from '../schema/batch.type';
import type { ConnectionShape } from '../schema/page-info.type';
import { BatchStatus } from '../store/batch-status';
import { checkFirst, storeConnection } from './connection';
import { SendBulkCommunicationInput } from '../schema/bulk.input';
import type { BatchEntity } from '../store/batch.entity';
import type { GatewayContext } from './context';

function subscribe({ args, context }: SubscribeResolverData<unknown, { id: string }, GatewayContext>): Promise<AsyncIterableIterator<BatchProgressSnapshot>> {
  return bulkServiceOf(context.services).watch(args.id, context.principal);
}

const progressOf = (snapshot: BatchProgressSnapshot): BatchProgress => ({ ...snapshot, at: new Date(snapshot.at) });

@Resolver(() => Batch)
export class BatchResolver {
  @Authorized(ACCESS.send)
  @Query(() => Batch, { nullable: true, description: 'A bulk run (null when unknown or not visible to the caller).' })
  batch(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<BatchEntity | null> {
    return bulkServiceOf(ctx.services).get(id, ctx.principal);
  }

  @Authorized(ACCESS.send)
  @Query(() => BatchConnection, { description: 'Bulk runs, newest first (keyset-paged): every run for agent and admin, its own for a service account.' })
  async batches(
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => BatchStatus, { nullable: true }) status: BatchStatus | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConnectionShape<BatchEntity>> {
    const page = await bulkServiceOf(ctx.services).list(ctx.principal, { status: status ?? null, first: checkFirst(first, 20), after: after ?? null });
    return storeConnection(page);
  }

  @Authorized(ACCESS.send)
  @Mutation(() => Batch, { description: 'Records a bulk run and starts it; each target gets a communication of its own, idempotent per batch key.' })
  sendBulkCommunication(@Arg('input', () => SendBulkCommunicationInput) input: SendBulkCommunicationInput, @Ctx() ctx: GatewayContext): Promise<BatchEntity> {
    return bulkServiceOf(ctx.services).send(input, ctx.principal);
  }

  @Authorized(ACCESS.send)
  @Mutation(() => Batch, { description: 'Stops an EXPANDING or RUNNING run: nothing that has not started rendering is sent (CONFLICT when it is over).' })
  cancelBatch(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<BatchEntity> {
    return bulkServiceOf(ctx.services).cancel(id, ctx.principal);
  }

  @Authorized(ACCESS.send)
  @Subscription(() => BatchProgress, { subscribe, description: 'The progress of one run: its counts now, then on every change, ending when the run is over.' })
  batchProgress(@Root() snapshot: BatchProgressSnapshot, @Arg('id', () => ID) _id: string): BatchProgress {
    return progressOf(snapshot);
  }

  @FieldResolver(() => String)
  key(@Root() batch: BatchEntity): string {
    return batch.batchKey;
  }

  @FieldResolver(() => BatchTargetInfo)
  target(@Root() batch: BatchEntity): BatchTargetInfo {
    const { kind, productCode, contractStatus, segment } = batch.target;
    return { kind, productCode, contractStatus: contractStatus as BatchTargetInfo['contractStatus'], segment };
  }

  @FieldResolver(() => BatchProgress)
  async progress(@Root() batch: BatchEntity, @Ctx() ctx: GatewayContext): Promise<BatchProgress> {
    return progressOf(await bulkServiceOf(ctx.services).progress(batch));
  }

  @FieldResolver(() => [BatchRejection], { description: 'Rejected targets with the reason, by customer id.' })
  async rejections(
    @Root() batch: BatchEntity,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number | null,
    @Arg('after', () => ID, { nullable: true, description: 'The last customer id of the previous page.' }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<BatchRejection[]> {
    const size = first ?? 20;
    if (!Number.isInteger(size) || size < 0 || size > 100) throw badInput(`first: expected 0 to 100, got ${size}`, 'first');
    const rows = await bulkServiceOf(ctx.services).rejections(batch, size, after ?? null);
    return rows.map((row) => ({ customerId: row.customerId, reason: row.reason ?? '' }));
  }
}
