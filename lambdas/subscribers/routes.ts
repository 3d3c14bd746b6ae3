import { z } from 'zod';
import type { Storage } from '../storage/index.js';
import { escapeHtml, html, HttpError, messagePage, parseForm, type HttpRequest, type Route } from '../web/http.js';
import type { Mailer } from '../deliver/mailer.js';
import { NEWSLETTER_NAME } from '../render/html.js';
import { addPending, confirmPending, EmailSchema, getSubscriber, unsubscribe } from './store.js';
import { checkSubscriptionLink, subscriptionUrl, type LinkPurpose } from './links.js';

export interface SubscriptionDeps {
  storage: Storage;
  signingKey: Buffer;
  mailer: Mailer;
  from: string;
}

const SAME_ANSWER = 'If that address can receive mail, a confirmation link is on its way. Open it to start receiving the newsletter.';

function page(title: string, body: string) {
  return html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem"><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}

/** A page with one button that POSTs back to the same signed URL: mail scanners GET links, people press buttons. */
function buttonPage(request: HttpRequest, title: string, text: string, label: string) {
  const action = `${request.path}?${request.query.toString()}`;
  return page(title, `<p>${escapeHtml(text)}</p><form method="post" action="${escapeHtml(action)}"><button type="submit">${escapeHtml(label)}</button></form>`);
}

function verified(deps: SubscriptionDeps, purpose: LinkPurpose, request: HttpRequest): string {
  const check = checkSubscriptionLink(deps.signingKey, purpose, request.query);
  if (!check.ok) throw new HttpError(403, check.reason === 'expired' ? 'This link has expired. Subscribe again for a fresh one.' : 'This link is not valid: it was changed or not issued by us.');
  return check.email;
}

/**
 * A signed mail link that does one thing: GET shows a page with a button (mail scanners open links),
 * the button POSTs back to the same signed URL, and the POST acts.
 */
function signedAction(deps: SubscriptionDeps, purpose: LinkPurpose, title: string, text: string, label: string, act: (email: string) => Promise<void>, done: [string, string]): Route[] {
  return [
    { method: 'GET', path: `/${purpose}`, async handle(request) { verified(deps, purpose, request); return buttonPage(request, title, text, label); } },
    { method: 'POST', path: `/${purpose}`, async handle(request) { await act(verified(deps, purpose, request)); return messagePage(200, ...done); } },
  ];
}

/**
 * Subscribe (double opt-in), confirm, unsubscribe (one click, RFC 8058). Every answer is the same for
 * known and unknown addresses, so no page tells whether someone else is subscribed.
 */
export function subscriptionRoutes(deps: SubscriptionDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/subscribe',
      async handle() {
        return page(`Subscribe to ${NEWSLETTER_NAME}`, `<p>A weekly digest of Linux kernel mailing-list discussions.</p><form method="post" action="/subscribe"><label>Email <input type="email" name="email" required></label> <button type="submit">Subscribe</button></form>`);
      },
    },
    {
      method: 'POST',
      path: '/subscribe',
      async handle(request) {
        const form = parseForm(request, z.object({ email: z.string() }));
        const email = EmailSchema.safeParse(form.email);
        if (!email.success) throw new HttpError(400, 'That does not look like an email address.');
        const existing = await getSubscriber(deps.storage, email.data);
        if (existing?.status !== 'confirmed') {
          await addPending(deps.storage, email.data);
          const link = subscriptionUrl(request.baseUrl, deps.signingKey, 'confirm', email.data);
          await deps.mailer.send({
            from: deps.from, to: email.data, subject: `Confirm your ${NEWSLETTER_NAME} subscription`,
            text: `Someone (hopefully you) asked to receive ${NEWSLETTER_NAME} at this address.\n\nConfirm: ${link}\n\nIf it was not you, ignore this mail: nothing is sent without confirmation.\n`,
            html: `<p>Someone (hopefully you) asked to receive ${NEWSLETTER_NAME} at this address.</p><p><a href="${escapeHtml(link)}">Confirm the subscription</a></p><p>If it was not you, ignore this mail: nothing is sent without confirmation.</p>`,
            messageId: `<confirm.${Date.now()}.${Math.random().toString(36).slice(2)}@kernel-news>`, headers: {},
          }, async () => {});
        }
        return messagePage(200, 'Check your inbox', SAME_ANSWER);
      },
    },
    ...signedAction(deps, 'confirm', 'Confirm your subscription', `Press the button to start receiving ${NEWSLETTER_NAME}.`, 'Confirm',
      async (email) => {
        if (!(await confirmPending(deps.storage, email))) throw new HttpError(403, 'This confirmation link was already used, or the subscription it confirms has ended. Nothing was changed; subscribe again for a fresh link.');
      }, ['Subscribed', `You will receive ${NEWSLETTER_NAME} from the next issue on.`]),
    // Both the unsubscribe page's button and RFC 8058 one-click (body "List-Unsubscribe=One-Click") are this POST.
    ...signedAction(deps, 'unsubscribe', 'Unsubscribe', `Press the button to stop receiving ${NEWSLETTER_NAME}.`, 'Unsubscribe',
      (email) => unsubscribe(deps.storage, email), ['Unsubscribed', `You will not receive ${NEWSLETTER_NAME} any more.`]),
  ];
}
