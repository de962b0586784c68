// What a first submitted application unlocks on this phone: the offer of progress notifications,
// then the offer to add the app to the home screen (see device/install.js).

import { offerPush } from './push'
import { noteSubmission } from './install'

export async function afterFirstSubmission() {
  await offerPush()
  noteSubmission()
}
