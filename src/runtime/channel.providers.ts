import type { ChannelProvider } from '../channels/channel';
import type { ChannelModule, ProviderContext } from '../channels/channel.module';
import type { Config } from '../config';
import type { Channel } from '../domain';
import { documentReaderOf } from '../jobs/document.reader';
import type { DocumentArchive } from '../store/document.archive';
import type { Endpoints } from './embedded.services';

/** One provider per given channel module, each from its own settings and the shared endpoints of this process. */
export function createProviders(
  modules: readonly ChannelModule[],
  deps: { readonly config: Config; readonly endpoints: Endpoints; readonly archive: DocumentArchive },
): Partial<Record<Channel, ChannelProvider>> {
  const { config, endpoints } = deps;
  const documents = documentReaderOf(deps.archive);
  const providers: Partial<Record<Channel, ChannelProvider>> = {};
  for (const module of modules) {
    const context: ProviderContext = {
      settings: config.channelSettings.get(module.id),
      documents,
      publicUrl: config.publicUrl,
      dataDir: config.dataDir,
      mailFrom: config.mailFrom,
      smtpUrl: endpoints.smtpUrl,
      twilio: endpoints.twilio,
    };
    providers[module.id] = module.createProvider(context);
  }
  return providers;
}
