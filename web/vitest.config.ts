import { defineConfig } from 'vitest/config';

// Unit tests of the client's state and components, in Node with jsdom for the DOM.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'jsdom',
    testTimeout: 10000,
  },
});
