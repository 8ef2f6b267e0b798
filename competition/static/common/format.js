/* Formatting shared by the page scripts. */

/** "HH:MM" of an ISO time as the server wrote it (Asia/Shanghai), or of now. */
export function hhmm(iso) {
  const m = /T(\d{2}):(\d{2})/.exec(iso || "");
  if (m) return m[1] + ":" + m[2];
  const now = new Date();
  return String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
}

function oneDecimal(n) {
  return n.toFixed(1).replace(/\.0$/, "");
}

/** A file size in Chinese: "512 字节", "12.5 KB", "20 MB". */
export function sizeText(bytes) {
  if (bytes < 1024) return bytes + " 字节";
  if (bytes < 1024 * 1024) return oneDecimal(bytes / 1024) + " KB";
  return oneDecimal(bytes / 1024 / 1024) + " MB";
}

/** A total as shown everywhere: 2 decimals. */
export function formatPoints(n) {
  return (Math.round(n * 100) / 100).toFixed(2);
}
