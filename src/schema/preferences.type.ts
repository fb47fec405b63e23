import { Field, InputType, ObjectType } from 'type-graphql';
import { Channel, PreferenceSource } from '../domain';
import { Connection } from './page-info.type';

@ObjectType({ description: 'Local wall-clock times "HH:MM"; start after end spans midnight ("21:00"–"08:00").' })
export class QuietHours {
  @Field()
  start!: string;

  @Field()
  end!: string;
}

@InputType()
export class QuietHoursInput {
  @Field({ description: '"HH:MM", 24-hour local time' })
  start!: string;

  @Field({ description: '"HH:MM"; must differ from start' })
  end!: string;
}

@InputType({ description: 'Only what is given changes. null sets preferredChannel to none, and language, timeZone and quietHours back to their defaults.' })
export class PreferencesInput {
  @Field(() => Channel, { nullable: true })
  preferredChannel?: Channel | null;

  @Field(() => [Channel], { nullable: true, description: 'The whole set of consented channels (not a delta); LETTER needs none and is refused here.' })
  consents?: Channel[] | null;

  @Field(() => Boolean, { nullable: true })
  paperless?: boolean | null;

  @Field(() => String, { nullable: true, description: 'A language the templates have, e.g. "fr".' })
  language?: string | null;

  @Field(() => String, { nullable: true, description: 'IANA zone, e.g. "Europe/Paris".' })
  timeZone?: string | null;

  @Field(() => QuietHoursInput, { nullable: true })
  quietHours?: QuietHoursInput | null;

  @Field(() => Boolean, { nullable: true, description: 'false: no open pixel and no tracked links in this customer\'s emails; null is refused.' })
  tracking?: boolean | null;
}

@ObjectType({ description: 'One changed field of the preferences: who, when, from where, old and new value, why.' })
export class PreferenceChange {
  @Field()
  at!: Date;

  @Field(() => PreferenceSource)
  source!: PreferenceSource;

  @Field({ description: 'The principal (subject), or the phone number an inbound keyword came from.' })
  actor!: string;

  @Field({ description: 'preferredChannel, consents, paperless, language, timeZone, quietHours, tracking, or emailAddress / phoneAddress / postalAddress (made unusable).' })
  field!: string;

  @Field(() => String, { nullable: true, description: 'Channels comma-separated, quiet hours "21:00-08:00".' })
  from!: string | null;

  @Field(() => String, { nullable: true })
  to!: string | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;
}

@ObjectType()
export class PreferenceChangeConnection extends Connection('PreferenceChange', PreferenceChange) {}
