// The stage's layouts in real Chromium: a grid sized to the count (three people: two above,
// one centred below), a pinned person large with the others in a strip, the speaker view,
// pages when the stage holds fewer tiles than there are people (a tile on another page is
// hidden, so its video stops arriving), and each tile's connection quality mark.
import assert from 'node:assert/strict';
import { after, before, createRoom, joinRoom, launchBrowser, startServer, test, waitForStats } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ args: ['--udp-ports', '41060-41069'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// The visible tiles on `page`: key, box and whether it is the large one.
const visibleTiles = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('[data-tile-key]')]
      .filter((tile) => !tile.hidden)
      .map((tile) => {
        const box = tile.getBoundingClientRect();
        return { key: tile.dataset.tileKey, x: box.x, y: box.y, width: box.width, height: box.height,
          focused: tile.classList.contains('focused') };
      }),
  );

async function waitFor(page, what, check, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tiles = await visibleTiles(page);
    if (check(tiles)) return tiles;
    if (Date.now() > deadline) throw new Error(`${what}: never happened; visible tiles ${JSON.stringify(tiles)}`);
    await page.waitForTimeout(100);
  }
}

test('grid, pin, speaker view, pages and connection quality', async () => {
  const room = await createRoom(server.url);
  const ana = await joinRoom(browser, server.url, room.id, 'Ana');
  const bruno = await joinRoom(browser, server.url, room.id, 'Bruno');
  const carla = await joinRoom(browser, server.url, room.id, 'Carla');
  await ana.setViewportSize({ width: 1280, height: 800 });
  const brunoId = await ana.locator('[data-testid="tile"][aria-label="Bruno"]').getAttribute('data-participant-id');

  // Three people on a wide stage: two tiles above, the third centred below them.
  const grid = await waitFor(ana, 'three tiles in two rows', (tiles) => tiles.length === 3 && new Set(tiles.map((t) => Math.round(t.y))).size === 2);
  const [first, second, third] = [...grid].sort((a, b) => a.y - b.y || a.x - b.x);
  const middle = (t) => t.x + t.width / 2;
  assert.ok(Math.abs(middle(third) - (first.x + second.x + second.width) / 2) < 4, `the last tile is centred: ${JSON.stringify(grid)}`);

  // Ana pins Bruno: his tile takes the stage, the others go to a strip below.
  const pin = ana.locator(`[data-tile-key="${brunoId}"] [data-testid="tile-pin"]`);
  await pin.focus();
  assert.equal(await pin.getAttribute('aria-label'), 'Pin Bruno');
  await pin.click();
  assert.equal(await pin.getAttribute('aria-pressed'), 'true');
  const pinned = await waitFor(ana, 'Bruno large', (tiles) => tiles.some((t) => t.key === brunoId && t.focused));
  const large = pinned.find((t) => t.focused);
  for (const t of pinned.filter((t) => !t.focused)) {
    assert.ok(t.y > large.y + large.height - 1, 'the strip is below the pinned tile');
    assert.ok(large.width * large.height > 4 * t.width * t.height, 'the pinned tile is much larger');
  }
  await pin.click();
  await waitFor(ana, 'back to the grid', (tiles) => tiles.length === 3 && !tiles.some((t) => t.focused));

  // Speaker view: someone else large (never Ana herself).
  await ana.getByTestId('layout-toggle').click();
  assert.equal(await ana.getByTestId('layout-toggle').getAttribute('aria-pressed'), 'true');
  const speakerView = await waitFor(ana, 'someone large in speaker view', (tiles) => tiles.some((t) => t.focused));
  const anaId = await ana.locator('[data-testid="tile"][aria-label="Ana"]').getAttribute('data-participant-id');
  assert.notEqual(speakerView.find((t) => t.focused).key, anaId);
  await ana.getByTestId('layout-toggle').click();

  // Carla's window is tiny: one tile a page, three pages. The tiles on other pages are
  // hidden and their videos stop arriving; turning the page brings them back.
  await carla.setViewportSize({ width: 260, height: 280 });
  await waitFor(carla, 'one tile a page', (tiles) => tiles.length === 1);
  assert.equal(await carla.getByTestId('pager').isVisible(), true);
  assert.match(await carla.getByTestId('page-label').textContent(), /^Page 1 of 3$/);
  const shown = (await visibleTiles(carla))[0].key;
  const bytesOf = async (participant) =>
    (await carla.evaluate(() => window.parleyMedia.stats())).inbound.find((i) => i.kind === 'video' && i.participant === participant)?.bytesReceived ?? 0;
  const others = [anaId, brunoId].filter((id) => id !== shown);
  let still = null;
  await waitForStats(carla, 'videos of tiles on other pages stop arriving', (s) => {
    const bytes = others.map((id) => s.inbound.find((i) => i.kind === 'video' && i.participant === id)?.bytesReceived ?? 0).join();
    const now = Date.now();
    if (!still || still.bytes !== bytes) still = { bytes, since: now };
    return now - still.since >= 1500;
  }, 20000);
  await carla.getByTestId('next-page').click();
  const page2 = await waitFor(carla, 'the second page', (tiles) => tiles.length === 1 && tiles[0].key !== shown);
  const before = await bytesOf(page2[0].key);
  await waitForStats(carla, 'the video on the page turned to arrives again', (s) =>
    (s.inbound.find((i) => i.kind === 'video' && i.participant === page2[0].key)?.bytesReceived ?? 0) > before + 20000, 15000);

  // Every remote tile shows its connection quality once stats have come twice.
  const quality = ana.locator(`[data-tile-key="${brunoId}"] [data-testid="tile-quality"]`);
  await quality.and(ana.locator('[data-quality="good"], [data-quality="fair"], [data-quality="poor"]')).waitFor({ timeout: 15000 });
  assert.match(await quality.getAttribute('aria-label'), /^Connection: (good|fair|poor)$/);
  for (const page of [ana, bruno, carla]) await page.context().close();
});
