import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';

/** A plain-text mail to the editor (review links, not the newsletter itself). */
export interface EditorMail {
  send(mail: { to: string; subject: string; text: string }): Promise<void>;
}

/** In AWS: SES v2, through the stack's configuration set so bounces are seen. */
export class SesEditorMail implements EditorMail {
  constructor(private readonly from: string, private readonly configurationSet: string, private readonly client = new SESv2Client({})) {}

  async send(mail: { to: string; subject: string; text: string }): Promise<void> {
    await this.client.send(new SendEmailCommand({
      FromEmailAddress: this.from,
      Destination: { ToAddresses: [mail.to] },
      ConfigurationSetName: this.configurationSet,
      Content: { Simple: { Subject: { Data: mail.subject, Charset: 'UTF-8' }, Body: { Text: { Data: mail.text, Charset: 'UTF-8' } } } },
    }));
  }
}
