import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type Observable, tap } from 'rxjs';
import { NEST_RECORDER, type NestRecorder } from './nest-recorder.js';

/**
 * Sees what a handler (or a pipe, or a later interceptor) throws, before Nest's exception
 * filters turn it into an answer: the error is kept with the request and recorded as
 * `system_exception` if the answer is a 5xx (an HttpException below 500 is the client's
 * mistake, not the system's). Installed globally by the module; passes the error on untouched.
 */
@Injectable()
export class AuthentikEventsInterceptor implements NestInterceptor {
  constructor(@Inject(NEST_RECORDER) private readonly nest: NestRecorder) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<object>();
    return next.handle().pipe(
      tap({
        error: (error: unknown) => {
          (this.nest.scopeOf(request) ?? this.nest.current.getStore())?.fail(error);
        },
      }),
    );
  }
}
