/** Activities of the minimal order-shaped workflow: a no-op local step and a remote call with the ERP's latency. */
export function baselineActivities(latency: { min: number; max: number }) {
  return {
    async step(n: number): Promise<number> {
      return n + 1;
    },
    async erpCall(n: number): Promise<number> {
      const ms = latency.min + Math.random() * (latency.max - latency.min);
      await new Promise((r) => setTimeout(r, ms));
      return n + 1;
    },
  };
}
export type BaselineActivities = ReturnType<typeof baselineActivities>;
