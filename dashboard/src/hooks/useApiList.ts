import type { User } from 'firebase/auth';
import { useCallback, useEffect, useState } from 'react';
import { apiRequest, errorText } from '../lib/api';

/** A list read from the API (`GET path`, the array under `key`), read again by `reload` after each change. */
export function useApiList<T>(user: User, path: string, key: string) {
  const [items, setItems] = useState<T[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string>();
  const reload = useCallback(async () => {
    try {
      const body = await apiRequest<Record<string, T[] | undefined>>(user, 'GET', path);
      setItems(body[key] ?? []);
      setError(undefined);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setLoaded(true);
    }
  }, [user, path, key]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { items, setItems, loaded, error, reload };
}
