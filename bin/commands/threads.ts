import { Command, Option } from 'commander';
import { analyseMboxFile } from '../../lambdas/thread/analyse.js';
import { exitOnceWritten, printJson, progress, progressDone, withDataOption } from './common.js';

export function threadsCommand(): Command {
  const command = new Command('threads')
    .description('parse every message, thread it, link patch series versions, set bots and routine traffic aside')
    .addOption(new Option('--mbox <file>', 'an mbox, mboxrd or mboxcl2 archive, plain or .gz').makeOptionMandatory())
    .option('--json', 'print the result as JSON (shape: see CONTRACT.md)')
    .action(async (options: { mbox: string; json?: boolean }) => {
      const analysis = await analyseMboxFile(options.mbox, { bodies: false, recipients: false, onProgress: (n) => progress(`threads: ${n} messages read`) });
      progressDone();
      if (options.json) {
        printJson({
          messages: analysis.messages.length,
          copiesMerged: analysis.copiesMerged,
          quarantined: analysis.quarantined,
          ...(analysis.archiveDamage ? { archiveDamage: analysis.archiveDamage } : {}),
          threads: analysis.threads.map((t) => ({ id: t.id, subject: t.subject, messageIds: t.messageIds, ...(t.parentThreadId ? { parentThreadId: t.parentThreadId } : {}) })),
          series: analysis.series.map((s) => ({
            id: s.id, title: s.title, kind: s.kind, author: s.author, changeId: s.changeId ?? null,
            versions: s.versions.map((v) => ({ version: v.version, messageIds: v.messageIds, coverMessageId: v.coverMessageId ?? null, reviewedBy: v.reviewedBy, ackedBy: v.ackedBy, testedBy: v.testedBy, nakedBy: v.nakedBy })),
          })),
          noise: analysis.noise,
        });
        exitOnceWritten();
        return;
      }
      const noiseReasons = new Map<string, number>();
      for (const n of analysis.noise) noiseReasons.set(n.reason, (noiseReasons.get(n.reason) ?? 0) + 1);
      const biggest = [...analysis.threads].sort((a, b) => b.messageIds.length - a.messageIds.length).slice(0, 10);
      const multi = analysis.series.filter((s) => s.versions.length > 1);
      const lines = [
        `${options.mbox}: ${analysis.messages.length} messages (${analysis.copiesMerged} cross-posted copies merged), ${analysis.quarantined.length} quarantined`,
        `${analysis.threads.length} threads; the largest:`,
        ...biggest.map((t) => `  ${String(t.messageIds.length).padStart(4)}  ${t.subject}`),
        `${analysis.series.length} patch series, ${multi.length} with several versions this week:`,
        ...multi.slice(0, 10).map((s) => `  v${s.versions.map((v) => v.version).join(', v')}  ${s.title}${s.changeId ? '  (b4 change-id)' : ''}`),
        `${analysis.noise.length} messages set aside as routine: ${[...noiseReasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n} ${r}`).join(', ')}`,
      ];
      for (const q of analysis.quarantined) lines.push(`quarantined at byte ${q.offset ?? '?'}: ${q.reason}`);
      if (analysis.archiveDamage) lines.push(`the archive is damaged: ${analysis.archiveDamage.reason}`);
      process.stdout.write(lines.join('\n') + '\n');
      exitOnceWritten();
    });
  return withDataOption(command);
}
