// Vant draws a few controls of its own without an accessible name: the dimmed overlay behind a popup
// and a popup's close icon are role="button" with no text. Screen readers would announce "button".
// They get the name 关闭 as soon as Vant adds them (popups are teleported to <body>, so watch it).

const UNNAMED = ['.van-overlay[role="button"]', '.van-popup__close-icon', '.van-image-preview__close-icon']
  .map((selector) => `${selector}:not([aria-label])`)
  .join(',')

function name(root) {
  if (root.matches?.(UNNAMED)) root.setAttribute('aria-label', '关闭')
  for (const control of root.querySelectorAll?.(UNNAMED) ?? []) control.setAttribute('aria-label', '关闭')
}

export function nameVantControls(target = document.body) {
  name(target)
  new MutationObserver((changes) => {
    for (const change of changes) for (const node of change.addedNodes) if (node.nodeType === 1) name(node)
  }).observe(target, { childList: true, subtree: true })
}
