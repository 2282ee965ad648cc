import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { type Plugin, defineConfig } from 'vite';

/**
 * The app's chunk (and the chunks it imports) preloaded by the page: the start-up script imports
 * it dynamically (so that the board's first reads go out before it is parsed), and without this
 * the browser would ask for it only once that script had run.
 */
function preloadAppChunk(): Plugin {
  return {
    name: 'taskflow-preload-app-chunk',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const bundle = context.bundle ?? {};
        const app = Object.values(bundle).find(
          (output) => output.type === 'chunk' && output.isDynamicEntry && output.name === 'app',
        );
        if (app?.type !== 'chunk') return [];
        // The page's own entry is loaded already; the app's other imports are not.
        const scripts = [app.fileName, ...app.imports].filter((file) => {
          const chunk = bundle[file];
          return !(chunk?.type === 'chunk' && chunk.isEntry);
        });
        const styles = [...(app.viteMetadata?.importedCss ?? [])];
        return [
          ...scripts.map((file) => ({
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: '', href: `/${file}` },
            injectTo: 'head' as const,
          })),
          ...styles.map((file) => ({
            tag: 'link',
            attrs: { rel: 'stylesheet', crossorigin: '', href: `/${file}` },
            injectTo: 'head' as const,
          })),
        ];
      },
    },
  };
}

const root = fileURLToPath(new URL('.', import.meta.url));

// The board, built to dist/apps/web: the local host serves it at `/`, the web stack from S3.
export default defineConfig({
  root,
  base: '/',
  plugins: [preact(), preloadAppChunk()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
