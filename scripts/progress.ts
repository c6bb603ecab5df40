import { Presets, SingleBar } from 'cli-progress';

/** Runs a seed or resync with a progress bar fed by its `onProgress(done, total)` callback. */
export async function withProgressBar<T>(
  label: string,
  run: (onProgress: (done: number, total: number) => void) => Promise<T>,
): Promise<T> {
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} rows | {duration}s` },
    Presets.shades_classic,
  );
  bar.start(1, 0);
  try {
    return await run((done, total) => {
      bar.setTotal(total);
      bar.update(done);
    });
  } finally {
    bar.stop();
  }
}
