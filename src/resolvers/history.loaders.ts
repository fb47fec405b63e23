import DataLoader from 'dataloader';
import type { CommunicationEntity } from '../store/communication.entity';
import type { CommunicationRepository } from '../store/communication.repository';
import type { DeliveryEventEntity } from '../store/delivery-event.entity';
import type { DeliveryEntity } from '../store/delivery.entity';
import type { DocumentEntity } from '../store/document.entity';
import type { EngagementEntity } from '../store/engagement.entity';

/** Per-request loaders over the gateway's own store: one query per level, like the back-office loaders. */
export interface HistoryLoaders {
  readonly communication: DataLoader<string, CommunicationEntity | null>;
  readonly deliveriesOf: DataLoader<string, DeliveryEntity[]>;
  readonly eventsOf: DataLoader<string, DeliveryEventEntity[]>;
  readonly documentsOf: DataLoader<string, DocumentEntity[]>;
  readonly document: DataLoader<string, DocumentEntity | null>;
  readonly engagementOf: DataLoader<string, EngagementEntity[]>;
}

/** `engagement` absent: every delivery has no engagement. */
export function createHistoryLoaders(repository: CommunicationRepository, engagement?: { ofDeliveries(ids: readonly string[]): Promise<EngagementEntity[][]> }): HistoryLoaders {
  return {
    communication: new DataLoader((ids) => repository.getMany(ids)),
    deliveriesOf: new DataLoader((ids) => repository.deliveriesOf(ids)),
    eventsOf: new DataLoader((ids) => repository.eventsOf(ids)),
    documentsOf: new DataLoader((ids) => repository.documentsOf(ids)),
    document: new DataLoader((ids) => repository.getDocuments(ids)),
    engagementOf: new DataLoader(async (ids) => (engagement ? engagement.ofDeliveries(ids) : ids.map(() => []))),
  };
}
