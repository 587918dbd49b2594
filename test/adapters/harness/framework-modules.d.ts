// The previous majors are installed under aliases (express4, koa2) without their own types.
// The harness uses only the API both majors share, so the current major's types describe them.
declare module 'express4' {
  import express = require('express');
  export = express;
}

declare module 'koa2' {
  import Koa = require('koa');
  export = Koa;
}
