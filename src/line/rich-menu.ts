import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { callLine as call, LineApiError } from './line-api-error';
import type { RichMenuPlan } from '../domain/rich-menu-plan';
import type { RichMenuImage } from './rich-menu-image';

/** A rich menu that already exists on the channel, as LINE lists it. */
export interface ExistingRichMenu {
  richMenuId: string;
  name: string;
}

/** The few rich menu calls we make, on the Messaging API (api.line.me) and its data host (api-data.line.me). */
export interface RichMenuApi {
  list(): Promise<ExistingRichMenu[]>;
  /** The menu shown to everyone who has no menu of their own, or null. */
  defaultId(): Promise<string | null>;
  validate(menu: messagingApi.RichMenuRequest): Promise<void>;
  create(menu: messagingApi.RichMenuRequest): Promise<string>;
  uploadImage(richMenuId: string, image: RichMenuImage): Promise<void>;
  setDefault(richMenuId: string): Promise<void>;
  remove(richMenuId: string): Promise<void>;
}

/** A rich menu call LINE refused or that did not reach LINE. */
export { LineApiError as RichMenuApiError };

/**
 * The rich menu calls through the official SDK. The image upload goes to the data host, which
 * has its own base URL (api-data.line.me in production).
 */
export function lineRichMenuApi(options: { channelAccessToken: string; baseURL: string; dataBaseURL: string }): RichMenuApi {
  const client = new messagingApi.MessagingApiClient({ channelAccessToken: options.channelAccessToken, baseURL: options.baseURL });
  const blob = new messagingApi.MessagingApiBlobClient({ channelAccessToken: options.channelAccessToken, baseURL: options.dataBaseURL });
  return {
    list: () => call('getRichMenuList', async () => (await client.getRichMenuList()).richmenus.map(({ richMenuId, name }) => ({ richMenuId, name }))),
    defaultId: () =>
      call('getDefaultRichMenuId', async () => {
        try {
          return (await client.getDefaultRichMenuId()).richMenuId;
        } catch (error) {
          // LINE answers 404 when no default rich menu is set.
          if (error instanceof HTTPFetchError && error.status === 404) return null;
          throw error;
        }
      }),
    validate: (menu) => call('validateRichMenuObject', async () => void (await client.validateRichMenuObject(menu))),
    create: (menu) => call('createRichMenu', async () => (await client.createRichMenu(menu)).richMenuId),
    uploadImage: (richMenuId, image) =>
      call('setRichMenuImage', async () => void (await blob.setRichMenuImage(richMenuId, new Blob([image.bytes], { type: image.contentType })))),
    setDefault: (richMenuId) => call('setDefaultRichMenu', async () => void (await client.setDefaultRichMenu(richMenuId))),
    remove: (richMenuId) => call('deleteRichMenu', async () => void (await client.deleteRichMenu(richMenuId))),
  };
}

/** The plan as LINE's rich menu object: every area a postback whose displayText is its label. */
export function toRichMenuRequest(plan: RichMenuPlan): messagingApi.RichMenuRequest {
  return {
    size: plan.size,
    // Open when the chat is opened, so the six choices are the first thing people see.
    selected: true,
    name: plan.name,
    chatBarText: plan.chatBarText,
    areas: plan.areas.map((area) => ({
      bounds: area.bounds,
      action: {
        type: 'postback',
        label: area.label,
        data: area.data,
        displayText: area.label,
        // The answer (cards and quick replies) then has the whole screen.
        inputOption: 'closeRichMenu',
      },
    })),
  };
}

/** Menus this tool made before (same name): replaced by a new one. Every other menu is left alone. */
export function previousMenus(existing: ExistingRichMenu[], name: string): ExistingRichMenu[] {
  return existing.filter((menu) => menu.name === name);
}

export interface ApplyResult {
  created: string;
  deleted: string[];
  kept: number;
}

/**
 * Creates the menu, uploads its image and makes it the default; only then deletes the menus of
 * the same name made before, so that nobody is ever left without a menu. If the upload or setting
 * the default fails, the half-made new menu is deleted again and the previous default stays.
 */
export async function applyRichMenu(
  api: RichMenuApi,
  plan: RichMenuPlan,
  image: RichMenuImage,
  report: (line: string) => void,
): Promise<ApplyResult> {
  const existing = await api.list();
  const previous = previousMenus(existing, plan.name);
  const request = toRichMenuRequest(plan);
  await api.validate(request);
  const created = await api.create(request);
  report(`created ${created}`);
  try {
    await api.uploadImage(created, image);
    report(`uploaded the image to ${created} (${image.contentType}, ${image.width}×${image.height}, ${image.bytes.length} bytes)`);
    await api.setDefault(created);
    report(`set ${created} as the default rich menu for all users`);
  } catch (error) {
    await api.remove(created).then(
      () => report(`deleted ${created} again; the previous default is unchanged`),
      (cleanup: unknown) => report(`could not delete ${created} again: ${(cleanup as Error).message}`),
    );
    throw error;
  }
  const deleted: string[] = [];
  const failures: string[] = [];
  for (const menu of previous) {
    try {
      await api.remove(menu.richMenuId);
      deleted.push(menu.richMenuId);
      report(`deleted ${menu.richMenuId} (the previous "${plan.name}")`);
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  if (failures.length > 0) {
    throw new LineApiError(
      'deleteRichMenu',
      null,
      `${created} is the default now, but ${failures.length} previous menu(s) could not be deleted (run --apply again to retry):\n  ${failures.join('\n  ')}`,
    );
  }
  return { created, deleted, kept: existing.length - previous.length };
}
