import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config';
import { loadDefinitions } from '../files/definitions-files';
import { RICH_MENU_FONT, richMenuSvg } from '../domain/rich-menu-picture';
import { planRichMenu, RichMenuPlanError, type RichMenuPlan } from '../domain/rich-menu-plan';
import { applyRichMenu, lineRichMenuApi, previousMenus, RichMenuApiError, toRichMenuRequest, type RichMenuApi } from '../line/rich-menu';
import { checkFontInstalled, RICH_MENU_IMAGE_MAX_BYTES, RichMenuImageError, renderRichMenuImage, type RichMenuImage } from '../line/rich-menu-image';
import { runCommand, UsageError, type CommandStart } from './command';

const USAGE = `usage: npm run richmenu -- (--apply | --dry-run) [--image <file.png>]
       npm run richmenu -- --image <file.png>
  --apply        create the rich menu, upload its picture, make it the default, then delete the one made before
  --dry-run      print what --apply would do; changes nothing on LINE
  --image FILE   also write the picture to FILE (e.g. docs/richmenu.png)`;

function describePlan(plan: RichMenuPlan, image: RichMenuImage): string[] {
  const lines = [`rich menu "${plan.name}": ${plan.size.width}×${plan.size.height}, chat bar "${plan.chatBarText}", open when the chat opens`];
  plan.areas.forEach((area, i) => {
    const { x, y, width, height } = area.bounds;
    lines.push(`  area ${i + 1}: ${area.label}  at x=${x} y=${y} ${width}×${height}  postback ${area.data} (the chat shows "${area.label}")`);
  });
  lines.push(`image: ${image.contentType} ${image.width}×${image.height}, ${image.bytes.length} bytes (LINE's limit: ${RICH_MENU_IMAGE_MAX_BYTES})`);
  return lines;
}

async function dryRun(api: RichMenuApi | null, plan: RichMenuPlan, out: (line: string) => void): Promise<void> {
  if (!api) {
    out('menus on the channel: not listed (no LINE_CHANNEL_ACCESS_TOKEN)');
    return;
  }
  await api.validate(toRichMenuRequest(plan));
  out('LINE checked the menu object: valid');
  const [existing, defaultId] = await Promise.all([api.list(), api.defaultId()]);
  const previous = previousMenus(existing, plan.name);
  const mark = (id: string) => (id === defaultId ? ' (the default now)' : '');
  out(`menus on the channel: ${existing.length}`);
  for (const menu of previous) out(`  would delete after the new one is the default: ${menu.richMenuId}${mark(menu.richMenuId)}`);
  for (const menu of existing.filter((m) => !previous.includes(m))) out(`  would leave alone: ${menu.richMenuId} "${menu.name}"${mark(menu.richMenuId)}`);
  out('would call: createRichMenu → setRichMenuImage → setDefaultRichMenu' + (previous.length > 0 ? ' → deleteRichMenu' : ''));
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        apply: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        image: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message, USAGE);
  }
}

/** `npm run richmenu -- --apply | --dry-run [--image FILE]`: see USAGE. Output goes to stdout, errors to stderr. */
async function main(start: CommandStart): Promise<number> {
  const values = parseOptions(start.args);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.apply && values['dry-run']) throw new UsageError('choose --apply or --dry-run, not both', USAGE);
  if (!values.apply && !values['dry-run'] && !values.image) throw new UsageError('choose --apply, --dry-run or --image', USAGE);

  const config = start.config();
  const plan = planRichMenu(loadDefinitions(config));
  if (!checkFontInstalled(RICH_MENU_FONT).checked) {
    process.stderr.write(`richmenu: fc-list not found, so whether "${RICH_MENU_FONT}" is installed was not checked; look at the picture (--image) before --apply\n`);
  }
  const image = await renderRichMenuImage(richMenuSvg(plan), plan.size);
  const out = (line: string) => process.stdout.write(`${line}\n`);

  if (values.image) {
    const file = path.resolve(process.cwd(), values.image);
    fs.writeFileSync(file, image.bytes);
    out(`wrote ${path.relative(process.cwd(), file) || file} (${image.width}×${image.height}, ${image.bytes.length} bytes)`);
  }
  if (!values.apply && !values['dry-run']) return 0;

  if (values.apply && !config.line) throw new ConfigError('--apply needs LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN');
  const api = config.line
    ? lineRichMenuApi({
        channelAccessToken: config.line.channelAccessToken,
        baseURL: config.lineApiBaseUrl,
        dataBaseURL: config.lineDataApiBaseUrl,
      })
    : null;

  describePlan(plan, image).forEach(out);
  if (values['dry-run']) {
    await dryRun(api, plan, out);
    out('dry run: nothing was changed');
    return 0;
  }
  const result = await applyRichMenu(api!, plan, image, out);
  out(`done: ${result.created} is the default; deleted ${result.deleted.length} previous; left ${result.kept} other menu(s) alone`);
  return 0;
}

runCommand('richmenu', main, {
  expected: [RichMenuPlanError, RichMenuImageError, RichMenuApiError],
  exitCode: (error) => (error instanceof RichMenuApiError ? 1 : undefined),
});
