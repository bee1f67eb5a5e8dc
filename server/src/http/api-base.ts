/** Where the JSON API is mounted. */
export const API_BASE = '/api/v1';
