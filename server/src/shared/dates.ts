/** Today's date in UTC, 'YYYY-MM-DD'. */
export const todayUtc = () => new Date().toISOString().slice(0, 10);
