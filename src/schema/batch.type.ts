import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BatchStatus } from '../store/batch-status';
import { ChannelPolicy, ContractStatus, Priority } from '../domain';
import { Connection } from './page-info.type';

registerEnumType(BatchStatus, {
  name: 'BatchStatus',
  description: 'Where a bulk send run is.',
  valuesConfig: {
    EXPANDING: { description: 'Targets are being read; their communications recorded and queued, chunk by chunk.' },
    RUNNING: { description: 'Every target read; communications are being rendered and delivered.' },
    COMPLETED: { description: 'Every communication of the run has settled.' },
    CANCELLED: { description: 'Cancelled: nothing that had not started is sent.' },
    FAILED: { description: 'The targets could not be read (see `error`).' },
  },
});

@ObjectType({ description: 'Counts of one bulk run. Communication counts cover the ones this run created (`queued`).' })
export class BatchProgress {
  @Field(() => ID)
  batchId!: string;

  @Field(() => BatchStatus)
  status!: BatchStatus;

  @Field(() => Int, { nullable: true, description: 'Targets known up front (a list); for a selection, known once it has been read.' })
  total!: number | null;

  @Field(() => Int, { description: 'Targets read so far.' })
  targeted!: number;

  @Field(() => Int, { description: 'Communications this run recorded and queued.' })
  queued!: number;

  @Field(() => Int, { description: 'Targets an earlier run of the same key already reached: not sent again.' })
  duplicates!: number;

  @Field(() => Int, { description: 'Targets that could not be planned (unknown customer, no matching contract, no usable channel).' })
  rejected!: number;

  @Field(() => Int, { description: 'Queued, not rendered yet.' })
  waiting!: number;

  @Field(() => Int, { description: 'Past the render step.' })
  rendered!: number;

  @Field(() => Int, { description: 'With a delivery handed to a provider (SENT or DELIVERED).' })
  sent!: number;

  @Field(() => Int, { description: 'With a delivery confirmed by the provider, or final at hand-over (print spool, portal).' })
  delivered!: number;

  @Field(() => Int, { description: 'Every channel failed.' })
  failed!: number;

  @Field(() => Int)
  cancelled!: number;

  @Field(() => Int, { description: 'Nothing more will happen to them (delivered, partially delivered, failed, cancelled).' })
  settled!: number;

  @Field({ description: 'The run is over (COMPLETED, CANCELLED or FAILED).' })
  done!: boolean;

  @Field(() => Date)
  at!: Date;
}

@ObjectType({ description: 'How the targets of a bulk run were chosen.' })
export class BatchTargetInfo {
  @Field({ description: '"list" or "selection".' })
  kind!: string;

  @Field(() => String, { nullable: true })
  productCode!: string | null;

  @Field(() => ContractStatus, { nullable: true })
  contractStatus!: ContractStatus | null;

  @Field(() => String, { nullable: true })
  segment!: string | null;
}

@ObjectType({ description: 'A target that got no communication, and why.' })
export class BatchRejection {
  @Field(() => ID)
  customerId!: string;

  @Field(() => String)
  reason!: string;
}

@ObjectType({ description: 'One run of a bulk send: one template to many customers, each with a communication of its own.' })
export class Batch {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'The batch key: communications are idempotent per key and customer, across runs.' })
  key!: string;

  @Field(() => Int, { description: 'Runs of this key so far, this one included.' })
  run!: number;

  @Field()
  templateKey!: string;

  @Field(() => ChannelPolicy)
  channelPolicy!: ChannelPolicy;

  @Field(() => Priority)
  priority!: Priority;

  @Field(() => BatchStatus)
  status!: BatchStatus;

  @Field(() => BatchTargetInfo)
  target!: BatchTargetInfo;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  scheduledAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the last target was read.' })
  expandedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  endedAt!: Date | null;

  @Field(() => String, { nullable: true })
  error!: string | null;
}

@ObjectType({ description: 'Bulk runs, newest first.' })
export class BatchConnection extends Connection('Batch', Batch) {}
