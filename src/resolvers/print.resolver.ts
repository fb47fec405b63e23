import { Authorized, Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ACCESS } from '../services/principal';
import { printServiceOf } from '../print/print.api';
import { Delivery } from '../schema/communication.type';
import { PrintBatch, PrintBatchFiles, PrintLetter } from '../schema/print-batch.type';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { PrintBatchEntity } from '../store/print-batch.entity';
import type { PrintLetterEntity } from '../store/print-letter.entity';
import type { GatewayContext } from './context';

@Resolver(() => PrintBatch)
export class PrintResolver {
  @Authorized(ACCESS.printOperations)
  @Mutation(() => PrintBatch, { nullable: true, description: 'Closes a print batch now from the spooled letters (null when there are none); CONFLICT while another closing runs.' })
  closePrintBatch(
    @Arg('duplex', () => Boolean, { nullable: true, description: 'Printed on both sides; default PRINT_DUPLEX (true).' }) duplex: boolean | null | undefined,
    @Arg('maxLetters', () => Int, { nullable: true, description: 'The oldest spooled letters first; default PRINT_BATCH_MAX_LETTERS (10,000).' }) maxLetters: number | null | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<PrintBatchEntity | null> {
    return printServiceOf(ctx.services).close({ ...(duplex != null ? { duplex } : {}), ...(maxLetters != null ? { maxLetters } : {}) }, ctx.principal);
  }

  @Authorized(ACCESS.printOperations)
  @Query(() => [PrintBatch], { description: 'Closed print batches, newest first.' })
  printBatches(@Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number | null, @Ctx() ctx: GatewayContext): Promise<PrintBatchEntity[]> {
    return printServiceOf(ctx.services).list(first ?? 20, ctx.principal);
  }

  @Authorized(ACCESS.printOperations)
  @Query(() => PrintBatch, { nullable: true })
  printBatch(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<PrintBatchEntity | null> {
    return printServiceOf(ctx.services).get(id, ctx.principal);
  }

  @Authorized(ACCESS.printOperations)
  @Mutation(() => Delivery, { description: 'A letter came back: its delivery becomes BOUNCED ("returned mail: <reason>") and the next channel of its chain takes over.' })
  registerReturnedMail(@Arg('deliveryId', () => ID) deliveryId: string, @Arg('reason') reason: string, @Ctx() ctx: GatewayContext): Promise<DeliveryEntity> {
    return printServiceOf(ctx.services).registerReturnedMail(deliveryId, reason, ctx.principal);
  }

  @FieldResolver(() => PrintBatchFiles)
  files(@Root() batch: PrintBatchEntity): PrintBatchFiles {
    return { pdf: `${batch.directory}/batch.pdf`, manifestCsv: `${batch.directory}/manifest.csv`, manifestJson: `${batch.directory}/manifest.json` };
  }

  @Authorized(ACCESS.printOperations)
  @FieldResolver(() => String, { description: 'Signed, expiring download of the print-ready PDF (DOCUMENT_LINK_TTL_SECONDS); needs no other credentials.' })
  pdfUrl(@Root() batch: PrintBatchEntity, @Ctx() ctx: GatewayContext): string {
    return printServiceOf(ctx.services).linkOf(batch, 'batch.pdf');
  }

  @Authorized(ACCESS.printOperations)
  @FieldResolver(() => String, { description: 'Signed, expiring download of the manifest as CSV (one line per letter in print order).' })
  manifestCsvUrl(@Root() batch: PrintBatchEntity, @Ctx() ctx: GatewayContext): string {
    return printServiceOf(ctx.services).linkOf(batch, 'manifest.csv');
  }

  @Authorized(ACCESS.printOperations)
  @FieldResolver(() => String, { description: 'Signed, expiring download of the manifest as JSON (totals, then every letter).' })
  manifestJsonUrl(@Root() batch: PrintBatchEntity, @Ctx() ctx: GatewayContext): string {
    return printServiceOf(ctx.services).linkOf(batch, 'manifest.json');
  }

  @FieldResolver(() => [PrintLetter], { description: 'The manifest lines in print order.' })
  entries(
    @Root() batch: PrintBatchEntity,
    @Arg('first', () => Int, { defaultValue: 100, nullable: true }) first: number | null,
    @Arg('afterSequence', () => Int, { defaultValue: 0, nullable: true }) afterSequence: number | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<PrintLetterEntity[]> {
    return printServiceOf(ctx.services).letters(batch, first ?? 100, afterSequence ?? 0);
  }
}
